import type { Queryable } from '../../../lib/db/index.js';

/** The provider's customer of each team (store/migrations.ts, customers). */
export function createCustomerStore(db: Queryable) {
  return {
    async customerOf(teamId: string): Promise<string | null> {
      const { rows } = await db.query<{ customer_id: string }>(
        'SELECT customer_id FROM customers WHERE team_id = $1',
        [teamId],
      );
      return rows[0]?.customer_id ?? null;
    },

    async teamOf(customerId: string): Promise<string | null> {
      const { rows } = await db.query<{ team_id: string }>(
        'SELECT team_id FROM customers WHERE customer_id = $1',
        [customerId],
      );
      return rows[0]?.team_id ?? null;
    },

    /** Records the team's customer; the first one recorded stays, and is returned. */
    async record(teamId: string, customerId: string): Promise<string> {
      const { rows } = await db.query<{ customer_id: string }>(
        `INSERT INTO customers (team_id, customer_id) VALUES ($1, $2)
         ON CONFLICT (team_id) DO UPDATE SET team_id = EXCLUDED.team_id
         RETURNING customer_id`,
        [teamId, customerId],
      );
      return rows[0]!.customer_id;
    },
  };
}

export type CustomerStore = ReturnType<typeof createCustomerStore>;
