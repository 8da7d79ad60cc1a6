import type { Queryable } from '../../../lib/db/index.js';
import type { Limits } from '../../../lib/rate-limit/index.js';

/** A team's rate limits; absent ones are unlimited. */
export interface QuotaRow extends Limits {
  teamId: string;
  /** Streams open at once for the team (a count, not a rate: inference's stream leases keep it). */
  maxConcurrentStreams?: number;
}

interface QuotaRecord {
  team_id: string;
  requests_per_minute: number | null;
  tokens_per_minute: number | null;
  tokens_per_day: string | null;
  key_requests_per_minute: number | null;
  key_tokens_per_minute: number | null;
  max_concurrent_streams: number | null;
}

const defined = (value: number | null | undefined) => (value == null ? undefined : value);

export function createQuotaStore(db: Queryable) {
  return {
    /** One quota per team asked; teams without a row are unlimited. */
    async forTeams(teamIds: readonly string[]): Promise<QuotaRow[]> {
      const { rows } = await db.query<QuotaRecord>(
        'SELECT * FROM team_quotas WHERE team_id = ANY($1::uuid[])',
        [teamIds],
      );
      const found = new Map(rows.map((r) => [r.team_id, r]));
      return teamIds.map((teamId) => {
        const r = found.get(teamId);
        return {
          teamId,
          rpm: defined(r?.requests_per_minute),
          tpm: defined(r?.tokens_per_minute),
          tpd: r?.tokens_per_day == null ? undefined : Number(r.tokens_per_day),
          keyRpm: defined(r?.key_requests_per_minute),
          keyTpm: defined(r?.key_tokens_per_minute),
          maxConcurrentStreams: defined(r?.max_concurrent_streams),
        };
      });
    },
    async set(quota: QuotaRow): Promise<void> {
      await db.query(
        `INSERT INTO team_quotas (team_id, requests_per_minute, tokens_per_minute, tokens_per_day,
           key_requests_per_minute, key_tokens_per_minute, max_concurrent_streams)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (team_id) DO UPDATE SET requests_per_minute = EXCLUDED.requests_per_minute,
           tokens_per_minute = EXCLUDED.tokens_per_minute, tokens_per_day = EXCLUDED.tokens_per_day,
           key_requests_per_minute = EXCLUDED.key_requests_per_minute,
           key_tokens_per_minute = EXCLUDED.key_tokens_per_minute,
           max_concurrent_streams = EXCLUDED.max_concurrent_streams, updated_at = now()`,
        [
          quota.teamId,
          quota.rpm ?? null,
          quota.tpm ?? null,
          quota.tpd ?? null,
          quota.keyRpm ?? null,
          quota.keyTpm ?? null,
          quota.maxConcurrentStreams ?? null,
        ],
      );
    },
  };
}

export type QuotaStore = ReturnType<typeof createQuotaStore>;
