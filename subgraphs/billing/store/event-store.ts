import type { Queryable } from '../../../lib/db/index.js';

export type EventOutcome = 'RECEIVED' | 'HANDLED' | 'IGNORED' | 'FAILED';

/** One provider event as recorded. */
export interface ProviderEventRow {
  id: string;
  seq: string;
  type: string;
  payloadSha256: string;
  objectId: string | null;
  outcome: EventOutcome;
  detail: string | null;
  deliveries: number;
  receivedAt: Date;
  handledAt: Date | null;
}

interface EventRecord {
  id: string;
  seq: string;
  type: string;
  payload_sha256: string;
  object_id: string | null;
  outcome: EventOutcome;
  detail: string | null;
  deliveries: number;
  received_at: Date;
  handled_at: Date | null;
}

const toRow = (r: EventRecord): ProviderEventRow => ({
  id: r.id,
  seq: String(r.seq),
  type: r.type,
  payloadSha256: r.payload_sha256,
  objectId: r.object_id,
  outcome: r.outcome,
  detail: r.detail,
  deliveries: Number(r.deliveries),
  receivedAt: r.received_at,
  handledAt: r.handled_at,
});

/** The provider events table (store/migrations.ts). */
export function createEventStore(db: Queryable) {
  return {
    /**
     * Records a delivery: a new event as RECEIVED, a redelivery by counting it. Returns the row as
     * it stands after this delivery (its outcome says whether it was already dealt with).
     */
    async received(event: {
      id: string;
      type: string;
      payloadSha256: string;
      objectId: string | null;
    }): Promise<ProviderEventRow> {
      const { rows } = await db.query<EventRecord>(
        `INSERT INTO provider_events (id, type, payload_sha256, object_id, outcome)
         VALUES ($1, $2, $3, $4, 'RECEIVED')
         ON CONFLICT (id) DO UPDATE SET deliveries = provider_events.deliveries + 1
         RETURNING *`,
        [event.id, event.type, event.payloadSha256, event.objectId],
      );
      return toRow(rows[0]!);
    },

    /** Says what came of an event. A later success overrides an earlier failure, never the reverse. */
    async settle(id: string, outcome: Exclude<EventOutcome, 'RECEIVED'>, detail: string | null) {
      await db.query(
        `UPDATE provider_events SET outcome = $2, detail = $3, handled_at = now()
         WHERE id = $1 AND (outcome IN ('RECEIVED', 'FAILED') OR $2 <> 'FAILED')`,
        [id, outcome, detail?.slice(0, 500) ?? null],
      );
    },

    /** Newest first, after the event whose seq is `afterSeq`. */
    async page(size: number, afterSeq: string | null): Promise<ProviderEventRow[]> {
      const { rows } = await db.query<EventRecord>(
        `SELECT * FROM provider_events WHERE ($1::bigint IS NULL OR seq < $1::bigint)
         ORDER BY seq DESC LIMIT $2`,
        [afterSeq, size + 1],
      );
      return rows.map(toRow);
    },
  };
}

export type EventStore = ReturnType<typeof createEventStore>;
