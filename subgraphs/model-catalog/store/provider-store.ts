import type { Queryable } from '../../../lib/db/index.js';
import type { ProviderRow } from './model-rows.js';

interface ProviderRecord {
  id: string;
  display_name: string;
  kind: ProviderRow['kind'];
  base_url: string | null;
  api_key_env: string | null;
  created_at: Date;
}

const toProvider = (r: ProviderRecord): ProviderRow => ({
  id: r.id,
  displayName: r.display_name,
  kind: r.kind,
  baseUrl: r.base_url,
  apiKeyEnv: r.api_key_env,
  createdAt: r.created_at,
});

export function createProviderStore(db: Queryable) {
  return {
    async byIds(ids: readonly string[]): Promise<ProviderRow[]> {
      const { rows } = await db.query<ProviderRecord>(
        'SELECT * FROM providers WHERE id = ANY($1::text[])',
        [ids],
      );
      return rows.map(toProvider);
    },
    async list(): Promise<ProviderRow[]> {
      const { rows } = await db.query<ProviderRecord>('SELECT * FROM providers ORDER BY id');
      return rows.map(toProvider);
    },
    /** Inserts unless the id exists; returns whether it inserted. */
    async insert(p: Omit<ProviderRow, 'createdAt'>): Promise<boolean> {
      const { rowCount } = await db.query(
        `INSERT INTO providers (id, display_name, kind, base_url, api_key_env)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`,
        [p.id, p.displayName, p.kind, p.baseUrl, p.apiKeyEnv],
      );
      return rowCount === 1;
    },
  };
}

export type ProviderStore = ReturnType<typeof createProviderStore>;
