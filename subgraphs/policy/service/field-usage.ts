import type { Db } from '../../../lib/db/index.js';
import { badUserInput } from '../../../lib/errors.js';
import { UsageBatch } from '../../../lib/policy/usage-batch.js';
import { RouteRefusal } from '../../../lib/subgraph/internal-route.js';
import { createUsageStore, type UsageWindow } from '../store/usage-store.js';

/** What `fieldUsage` and `operationUsage` are asked. */
export interface UsageQuery {
  since: Date;
  until?: Date | null;
  clientName?: string | null;
  first?: number | null;
}

const DAY_MS = 86_400_000;
/** How often at most the gateway's reports also drop usage past its retention. */
const PRUNE_EVERY_MS = 3_600_000;
/** How long usage is kept. @default 90 days (USAGE_RETENTION_DAYS) */
export const DEFAULT_USAGE_RETENTION_DAYS = 90;

const DEFAULT_ROWS = 1_000;
const MAX_ROWS = 10_000;
const MAX_COORDINATES = 500;

function windowOf(query: UsageQuery, now: Date): UsageWindow {
  const until = query.until ?? now;
  if (until <= query.since) {
    throw badUserInput('`until` must be after `since`.', { field: 'until' });
  }
  const first = query.first ?? DEFAULT_ROWS;
  if (first < 1 || first > MAX_ROWS) {
    throw badUserInput(`\`first\` must be 1 to ${MAX_ROWS}.`, { field: 'first' });
  }
  return { since: query.since, until, clientName: query.clientName, first };
}

/**
 * Field usage (decision 85): the gateway's reports go in, organization admins' questions (and
 * `npm run schema:check`'s) come out. Usage older than `retentionDays` is dropped, at most once
 * an hour, when a report comes in.
 */
export function createFieldUsage(
  db: Db,
  now: () => Date,
  retentionDays = DEFAULT_USAGE_RETENTION_DAYS,
) {
  const store = createUsageStore(db);
  let prunedAt = -Infinity;
  return {
    /** A batch from the gateway's internal route; a malformed one is refused whole (400). */
    async recordUsage(body: unknown) {
      const batch = UsageBatch.safeParse(body);
      if (!batch.success) {
        throw new RouteRefusal(400, 'BAD_REQUEST', `Not a usage batch: ${batch.error.message}`);
      }
      const recorded = await db.transaction((tx) => createUsageStore(tx).record(batch.data));
      const time = now().getTime();
      if (time - prunedAt >= PRUNE_EVERY_MS) {
        prunedAt = time;
        await store.prune(new Date(time - retentionDays * DAY_MS));
      }
      return { recorded };
    },

    fieldUsage(query: UsageQuery & { coordinates?: readonly string[] | null }) {
      if (query.coordinates && query.coordinates.length > MAX_COORDINATES) {
        throw badUserInput(`At most ${MAX_COORDINATES} coordinates.`, { field: 'coordinates' });
      }
      return store.fieldUsage(windowOf(query, now()), query.coordinates && [...query.coordinates]);
    },

    operationUsage: (query: UsageQuery) => store.operationUsage(windowOf(query, now())),
  };
}

export type FieldUsageService = ReturnType<typeof createFieldUsage>;
