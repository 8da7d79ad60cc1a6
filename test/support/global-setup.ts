import pg from 'pg';
import { Redis } from 'ioredis';

// Jest loads this file outside its module mapping, so it imports nothing of ours; test-env.ts
// re-exports what the suites share from here.
export const TEST_DATABASE_URL = process.env.DATABASE_URL || undefined;
export const TEST_REDIS_URL = process.env.REDIS_URL || undefined;
export const REAL_STORES_REASON =
  'DATABASE_URL and REDIS_URL are unset: the real PostgreSQL + Redis variants are not run (CI sets them).';
/** Test databases and Redis prefixes carry their creation time, so stale ones can be swept. */
export const TEST_RESOURCE_PREFIX = 'mg_test_';

const STALE_AFTER_SECONDS = 3600;

const isStale = (name: string) => {
  const created = Number(name.slice(TEST_RESOURCE_PREFIX.length).split('_')[0]);
  return Number.isFinite(created) && Date.now() / 1000 - created > STALE_AFTER_SECONDS;
};

/**
 * Runs once before all suites: says whether real servers are used, and removes test databases and
 * Redis keys that crashed runs left behind more than an hour ago (CI reuses the servers).
 */
export default async function globalSetup(): Promise<void> {
  if (!TEST_DATABASE_URL || !TEST_REDIS_URL) {
    console.warn(`\n[modelgraph tests] ${REAL_STORES_REASON}\n`);
    return;
  }
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname LIKE $1',
      [`${TEST_RESOURCE_PREFIX}%`],
    );
    for (const { datname } of rows.filter((r) => isStale(r.datname))) {
      await client
        .query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`)
        .catch(() => undefined);
    }
  } finally {
    await client.end();
  }
  const redis = new Redis(TEST_REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(
        cursor,
        'MATCH',
        `${TEST_RESOURCE_PREFIX}*`,
        'COUNT',
        1000,
      );
      cursor = next;
      const stale = keys.filter((key) => isStale(key.split(':')[0] ?? ''));
      if (stale.length) await redis.del(...stale);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
