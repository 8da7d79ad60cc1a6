import type { Queryable } from '../../../lib/db/index.js';
import type { Scope } from '../../../lib/auth/principal.js';
import type { ApiKeyRow } from './rows.js';

interface ApiKeyRecord {
  id: string;
  team_id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  created_by: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const COLUMNS = `id, team_id, name, prefix, scopes, created_by, created_at, expires_at, revoked_at,
  last_used_at`;

const toApiKey = (r: ApiKeyRecord): ApiKeyRow => ({
  id: r.id,
  teamId: r.team_id,
  name: r.name,
  prefix: r.prefix,
  scopes: r.scopes,
  createdBy: r.created_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
});

/**
 * API keys, found by the hash of their secret; the secret itself is never stored.
 * Long only because it lists its methods: each is short and stands alone (a factory, not a flow).
 */
export function createApiKeyStore(db: Queryable) {
  return {
    async insert(key: {
      teamId: string;
      name: string;
      prefix: string;
      hash: string;
      scopes: Scope[];
      createdBy: string;
      expiresAt: Date | null;
    }): Promise<ApiKeyRow> {
      const { rows } = await db.query<ApiKeyRecord>(
        `INSERT INTO api_keys (team_id, name, prefix, key_hash, scopes, created_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
        [key.teamId, key.name, key.prefix, key.hash, key.scopes, key.createdBy, key.expiresAt],
      );
      return toApiKey(rows[0] as ApiKeyRecord);
    },
    async ofIds(ids: readonly string[]): Promise<ApiKeyRow[]> {
      const { rows } = await db.query<ApiKeyRecord>(
        `SELECT ${COLUMNS} FROM api_keys WHERE id = ANY($1::uuid[])`,
        [ids],
      );
      return rows.map(toApiKey);
    },
    /** The key's row and hash, locked for the rest of the transaction. */
    async lockWithHash(id: string): Promise<(ApiKeyRow & { hash: string }) | undefined> {
      const { rows } = await db.query<ApiKeyRecord & { key_hash: string }>(
        `SELECT ${COLUMNS}, key_hash FROM api_keys WHERE id = $1 FOR UPDATE`,
        [id],
      );
      return rows[0] && { ...toApiKey(rows[0]), hash: rows[0].key_hash };
    },
    async revoke(id: string): Promise<ApiKeyRow> {
      const { rows } = await db.query<ApiKeyRecord>(
        `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING ${COLUMNS}`,
        [id],
      );
      return toApiKey(rows[0] as ApiKeyRecord);
    },
    async ofTeams(teamIds: readonly string[]): Promise<ApiKeyRow[]> {
      const { rows } = await db.query<ApiKeyRecord>(
        `SELECT ${COLUMNS} FROM api_keys WHERE team_id = ANY($1::uuid[]) ORDER BY created_at DESC, id`,
        [teamIds],
      );
      return rows.map(toApiKey);
    },
    /**
     * The active key with this hash, if any, marking it used. `last_used_at` moves at most once a
     * minute so a busy key does not turn every authentication into a write.
     */
    async authenticate(hash: string): Promise<ApiKeyRow | undefined> {
      const { rows } = await db.query<ApiKeyRecord>(
        `SELECT ${COLUMNS} FROM api_keys
         WHERE key_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
        [hash],
      );
      const key = rows[0] && toApiKey(rows[0]);
      if (key && (!key.lastUsedAt || Date.now() - key.lastUsedAt.getTime() > 60_000)) {
        await db.query('UPDATE api_keys SET last_used_at = now() WHERE id = $1', [key.id]);
      }
      return key;
    },
  };
}

export type ApiKeyStore = ReturnType<typeof createApiKeyStore>;
