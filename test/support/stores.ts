import pg from 'pg';
import { Redis } from 'ioredis';
import { createDb, type Db } from '../../lib/db/index.js';
import { createPgliteDatabase, type PgliteDatabase } from '../../lib/db/pglite.js';
import { createKv, type Kv } from '../../lib/kv/index.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL, testResourceName, type StoreMode } from './test-env.js';

/** A database of its own for one test run: a fresh PostgreSQL database, or in-memory PGlite. */
export interface TestDatabase {
  /** The PostgreSQL URL of the fresh database; undefined for embedded. */
  url: string | undefined;
  open(schema: string): Promise<Db>;
  drop(): Promise<void>;
}

/**
 * `serverUrl` (real mode): a database URL on the PostgreSQL server to create the run's database
 * on, e.g. a throwaway cluster of a test's own. @default DATABASE_URL
 */
export async function createTestDatabase(
  mode: StoreMode,
  serverUrl: string | undefined = TEST_DATABASE_URL,
): Promise<TestDatabase> {
  const opened: Db[] = [];
  const track = async (db: Promise<Db>) => {
    const handle = await db;
    opened.push(handle);
    return handle;
  };
  if (mode === 'embedded') {
    // One in-memory PGlite for the run, each schema a handle on it (as `npm start` does).
    let database: Promise<PgliteDatabase> | undefined;
    return {
      url: undefined,
      open: (schema) => track((database ??= createPgliteDatabase()).then((d) => d.open(schema))),
      drop: async () => {
        await Promise.all(opened.map((db) => db.close().catch(() => undefined)));
      },
    };
  }
  const name = testResourceName();
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(serverUrl as string);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    open: (schema) => track(createDb({ url: url.toString(), schema, poolSize: 5 })),
    drop: async () => {
      await Promise.all(opened.map((db) => db.close().catch(() => undefined)));
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

/** A key-value store of its own: a Redis key prefix for this run, or a fresh in-process store. */
export interface TestKv {
  kv: Kv;
  /** For a second client (another "replica") on the same keys; undefined for embedded. */
  redisUrl: string | undefined;
  keyPrefix: string;
  cleanup(): Promise<void>;
}

export async function createTestKv(mode: StoreMode): Promise<TestKv> {
  const keyPrefix = `${testResourceName()}:`;
  const redisUrl = mode === 'real' ? TEST_REDIS_URL : undefined;
  const kv = await createKv({ url: redisUrl, keyPrefix });
  return {
    kv,
    redisUrl,
    keyPrefix,
    async cleanup() {
      await kv.close();
      if (!redisUrl) return;
      const redis = new Redis(redisUrl);
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
      redis.disconnect();
    },
  };
}
