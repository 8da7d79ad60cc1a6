import type { Db } from '../../../lib/db/index.js';

/** What the store records about the subgraph itself. */
export interface ServiceInfoRow {
  service: string;
  since: Date;
}

export function createInfoStore(db: Db) {
  return {
    /** The row the first migration wrote. */
    async read(): Promise<ServiceInfoRow> {
      const { rows } = await db.query<{ service: string; created_at: Date }>(
        'SELECT service, created_at FROM service_info',
      );
      const row = rows[0];
      if (!row) throw new Error('service_info is empty: the migrations have not run.');
      return { service: row.service, since: new Date(row.created_at) };
    },
  };
}

export type InfoStore = ReturnType<typeof createInfoStore>;
