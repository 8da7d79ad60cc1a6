import type { Queryable } from '../../../lib/db/index.js';

/**
 * Records that the seed file `name` ran; false when it already had (on an earlier start or another
 * replica), so it is applied exactly once.
 */
export async function claimSeedRun(db: Queryable, name: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'INSERT INTO seed_runs (name) VALUES ($1) ON CONFLICT (name) DO NOTHING',
    [name],
  );
  return rowCount !== 0;
}
