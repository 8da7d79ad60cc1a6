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

/** One delivery of a provider event, as received. */
export interface ReceivedDelivery {
  id: string;
  type: string;
  payloadSha256: string;
  objectId: string | null;
}

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
     * Records deliveries in one statement: a new event as RECEIVED, a redelivery by counting it
     * (an event delivered twice in one batch counts twice). Answers each delivery, in order, with
     * its event's row as it stands after the statement; its outcome says whether the event was
     * already dealt with.
     */
    async received(deliveries: readonly ReceivedDelivery[]): Promise<ProviderEventRow[]> {
      const byId = new Map<string, { delivery: ReceivedDelivery; count: number }>();
      for (const d of deliveries) {
        const seen = byId.get(d.id);
        if (seen) seen.count += 1;
        else byId.set(d.id, { delivery: d, count: 1 });
      }
      const list = [...byId.values()];
      // Written in id order, so two statements that share events (another batch, another
      // replica) take their rows' locks in the same order and cannot deadlock each other.
      const { rows } = await db.query<EventRecord>(
        `INSERT INTO provider_events (id, type, payload_sha256, object_id, outcome, deliveries)
         SELECT d.id, d.type, d.sha, d.object_id, 'RECEIVED', d.n
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[])
           AS d(id, type, sha, object_id, n)
         ORDER BY d.id
         ON CONFLICT (id) DO UPDATE SET deliveries = provider_events.deliveries + excluded.deliveries
         RETURNING *`,
        [
          list.map((e) => e.delivery.id),
          list.map((e) => e.delivery.type),
          list.map((e) => e.delivery.payloadSha256),
          list.map((e) => e.delivery.objectId),
          list.map((e) => e.count),
        ],
      );
      const rowOf = new Map(rows.map((r) => [r.id, toRow(r)]));
      return deliveries.map((d) => rowOf.get(d.id)!);
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
      // The rows are locked in id order first, as receipts write them, so two settle statements
      // sharing events (two replicas) cannot deadlock each other.
      await db.query(
        `WITH s AS (
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) AS s(id, outcome, detail)
         ), locked AS MATERIALIZED (
           SELECT id FROM provider_events WHERE id IN (SELECT id FROM s) ORDER BY id FOR UPDATE
         )
         UPDATE provider_events e SET outcome = s.outcome, detail = s.detail, handled_at = now()
         FROM s
         WHERE e.id = s.id AND e.id IN (SELECT id FROM locked)
           AND (e.outcome IN ('RECEIVED', 'FAILED') OR s.outcome <> 'FAILED')`,
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
