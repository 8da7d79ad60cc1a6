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

/** What came of one event. */
export interface SettledEvent {
  id: string;
  outcome: Exclude<EventOutcome, 'RECEIVED'>;
  detail: string | null;
}

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

    /**
     * Says what came of events, in one statement. A later success overrides an earlier failure,
     * never the reverse; an event named twice keeps its success.
     */
    async settle(outcomes: readonly SettledEvent[]) {
      const byId = new Map<string, SettledEvent>();
      for (const o of outcomes) {
        if (!byId.has(o.id) || byId.get(o.id)!.outcome === 'FAILED') byId.set(o.id, o);
      }
      const list = [...byId.values()];
      await db.query(
        `UPDATE provider_events e SET outcome = s.outcome, detail = s.detail, handled_at = now()
         FROM unnest($1::text[], $2::text[], $3::text[]) AS s(id, outcome, detail)
         WHERE e.id = s.id AND (e.outcome IN ('RECEIVED', 'FAILED') OR s.outcome <> 'FAILED')`,
        [
          list.map((o) => o.id),
          list.map((o) => o.outcome),
          list.map((o) => o.detail?.slice(0, 500) ?? null),
        ],
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
