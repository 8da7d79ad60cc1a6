import type { Queryable } from '../../../lib/db/index.js';
import type { RouteRow } from './model-rows.js';

interface RouteRecord {
  alias: string;
  description: string;
  strategy: RouteRow['strategy'];
  updated_at: Date;
  targets: Array<{ modelId: string; weight: number }> | null;
}

const SELECT_ROUTES = `
  SELECT r.alias, r.description, r.strategy, r.updated_at,
    (SELECT json_agg(json_build_object('modelId', t.model_id, 'weight', t.weight) ORDER BY t.position)
       FROM model_route_targets t WHERE t.alias = r.alias) AS targets
  FROM model_routes r`;

const toRoute = (r: RouteRecord): RouteRow => ({
  alias: r.alias,
  description: r.description,
  strategy: r.strategy,
  updatedAt: r.updated_at,
  targets: r.targets ?? [],
});

export function createRouteStore(db: Queryable) {
  return {
    async list(): Promise<RouteRow[]> {
      const { rows } = await db.query<RouteRecord>(`${SELECT_ROUTES} ORDER BY r.alias`);
      return rows.map(toRoute);
    },
    async byAlias(alias: string): Promise<RouteRow | undefined> {
      const { rows } = await db.query<RouteRecord>(`${SELECT_ROUTES} WHERE r.alias = $1`, [alias]);
      return rows[0] && toRoute(rows[0]);
    },
    /** Replaces the route and its targets; run inside a transaction. */
    async replace(route: Omit<RouteRow, 'updatedAt'>): Promise<void> {
      await db.query(
        `INSERT INTO model_routes (alias, description, strategy) VALUES ($1, $2, $3)
         ON CONFLICT (alias) DO UPDATE
           SET description = EXCLUDED.description, strategy = EXCLUDED.strategy, updated_at = now()`,
        [route.alias, route.description, route.strategy],
      );
      await db.query('DELETE FROM model_route_targets WHERE alias = $1', [route.alias]);
      for (const [position, target] of route.targets.entries()) {
        await db.query(
          `INSERT INTO model_route_targets (alias, position, model_id, weight) VALUES ($1, $2, $3, $4)`,
          [route.alias, position, target.modelId, target.weight],
        );
      }
    },
  };
}

export type RouteStore = ReturnType<typeof createRouteStore>;
