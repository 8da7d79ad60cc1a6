import { randomBytes } from 'node:crypto';
import pg from 'pg';

/*
 * bench:compare's PostgreSQL databases, on the server DATABASE_URL names: one for HEAD (every
 * topology shares it: one catalog, one team, one wallet) and one for the base, whose migrations
 * differ. Made fresh for the run and dropped after it.
 */
export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

async function admin(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createBenchDatabase(
  serverUrl: string,
  label: string,
): Promise<BenchDatabase> {
  const name = `bench_compare_${label}_${randomBytes(4).toString('hex')}`;
  await admin(serverUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}
