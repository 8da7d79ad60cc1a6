import { createTestDatabase, type TestDatabase } from '../../test/support/stores.js';
import { STORE_MODES } from '../../test/support/test-env.js';
import { runMigrations, type Db, type Migration } from './index.js';

const ACCOUNTS: Migration = {
  id: '001_accounts',
  sql: `CREATE TABLE accounts (id text PRIMARY KEY, balance numeric(20, 6) NOT NULL, hits bigint NOT NULL DEFAULT 0);
        CREATE INDEX accounts_balance ON accounts (balance);`,
};
const LEDGER: Migration = {
  id: '002_ledger',
  sql: `CREATE TABLE ledger (id serial PRIMARY KEY, account text NOT NULL REFERENCES accounts (id));`,
};

const tablesIn = async (db: Db) =>
  (
    await db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
      [db.schema],
    )
  ).rows.map((r) => r.table_name);

// One contract, two engines: what stores rely on must hold on PostgreSQL and on PGlite alike.
describe.each(STORE_MODES)('Db contract (%s database)', (mode) => {
  let database: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    database = await createTestDatabase(mode);
    db = await database.open('contract');
    await db.exec(`CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, qty int NOT NULL);
      INSERT INTO items VALUES (1, 'apple', 3), (2, 'pear', 5), (3, 'plum', 7);
      CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL);
      INSERT INTO counter VALUES (1, 0);`);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('is the kind of database the mode asks for, in the schema it was opened on', async () => {
    expect(db.kind).toBe(mode === 'real' ? 'postgres' : 'pglite');
    expect(db.schema).toBe('contract');
    const { rows } = await db.query<{ schema: string }>('SELECT current_schema() AS schema');
    expect(rows).toEqual([{ schema: 'contract' }]);
    await expect(db.ping()).resolves.toBeUndefined();
  });

  it('runs parameterized queries and returns rows', async () => {
    const { rows } = await db.query<{ name: string; qty: number }>(
      'SELECT name, qty FROM items WHERE qty > $1 ORDER BY id',
      [4],
    );
    expect(rows).toEqual([
      { name: 'pear', qty: 5 },
      { name: 'plum', qty: 7 },
    ]);
  });

  it('counts the rows a write touched, 0 when ON CONFLICT DO NOTHING skipped it', async () => {
    const update = await db.query('UPDATE items SET qty = qty WHERE id <= $1', [2]);
    expect(update.rowCount).toBe(2);
    const insert = 'INSERT INTO items VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING';
    await expect(db.query(insert, [4, 'quince', 1])).resolves.toMatchObject({ rowCount: 1 });
    await expect(db.query(insert, [4, 'quince', 1])).resolves.toMatchObject({ rowCount: 0 });
    await expect(db.query('DELETE FROM items WHERE id = $1', [4])).resolves.toMatchObject({
      rowCount: 1,
    });
  });

  it('returns int8 and numeric as strings, never lossy numbers', async () => {
    const { rows } = await db.query<Record<string, unknown>>(
      `SELECT $1::bigint AS big, count(*) AS n, sum(qty) AS total, $2::numeric AS price, 7::int AS small
         FROM items`,
      ['9007199254740993', '0.000001234567890123'],
    );
    expect(rows[0]).toEqual({
      big: '9007199254740993',
      n: '3',
      total: '15',
      price: '0.000001234567890123',
      small: 7,
    });
  });

  it('binds a JavaScript array as text[] for = ANY($1::text[])', async () => {
    const { rows } = await db.query<{ id: number }>(
      'SELECT id FROM items WHERE name = ANY($1::text[]) ORDER BY id',
      [['plum', 'apple', 'kiwi']],
    );
    expect(rows).toEqual([{ id: 1 }, { id: 3 }]);
    const none = await db.query('SELECT id FROM items WHERE name = ANY($1::text[])', [[]]);
    expect(none.rows).toEqual([]);
  });

  it('commits a transaction and returns what its function returned', async () => {
    const result = await db.transaction(async (tx) => {
      await tx.query('INSERT INTO items VALUES ($1, $2, $3)', [10, 'fig', 1]);
      await tx.query('UPDATE items SET qty = qty + 1 WHERE id = $1', [10]);
      return (await tx.query<{ qty: number }>('SELECT qty FROM items WHERE id = 10')).rows[0];
    });
    expect(result).toEqual({ qty: 2 });
    const { rows } = await db.query('SELECT name, qty FROM items WHERE id = 10');
    expect(rows).toEqual([{ name: 'fig', qty: 2 }]);
  });

  it('rolls back everything when the transaction function throws', async () => {
    const failure = db.transaction(async (tx) => {
      await tx.query('INSERT INTO items VALUES ($1, $2, $3)', [20, 'kiwi', 1]);
      await tx.exec(`UPDATE items SET qty = 0; CREATE TABLE scratch (x int);`);
      throw new Error('changed my mind');
    });
    await expect(failure).rejects.toThrow('changed my mind');
    const { rows } = await db.query<{ qty: number }>(
      'SELECT qty FROM items WHERE id <= 3 ORDER BY id',
    );
    expect(rows.map((r) => r.qty)).toEqual([3, 5, 7]);
    await expect(db.query('SELECT 1 FROM items WHERE id = 20')).resolves.toMatchObject({
      rows: [],
    });
    expect(await tablesIn(db)).not.toContain('scratch');
    // The handle is usable afterwards (no connection left inside an aborted transaction).
    await expect(db.query('SELECT 1 AS ok')).resolves.toMatchObject({ rows: [{ ok: 1 }] });
  });

  it('rolls back when a statement inside the transaction fails', async () => {
    const failure = db.transaction(async (tx) => {
      await tx.query('INSERT INTO items VALUES ($1, $2, $3)', [21, 'lime', 1]);
      await tx.query('INSERT INTO items VALUES ($1, $2, $3)', [1, 'duplicate', 1]);
    });
    await expect(failure).rejects.toMatchObject({ code: '23505' });
    await expect(db.query('SELECT 1 FROM items WHERE id = 21')).resolves.toMatchObject({
      rows: [],
    });
  });

  it('runs a script of several statements with exec', async () => {
    await db.exec(`CREATE TABLE script_a (x int);
      INSERT INTO script_a VALUES (1), (2);
      CREATE TABLE script_b AS SELECT x * 10 AS y FROM script_a;`);
    const { rows } = await db.query('SELECT y FROM script_b ORDER BY y');
    expect(rows).toEqual([{ y: 10 }, { y: 20 }]);
  });

  describe('runMigrations', () => {
    let mdb: Db;
    beforeAll(async () => {
      mdb = await database.open('migrations');
    });

    it('applies migrations once, in id order, and is idempotent', async () => {
      await expect(runMigrations(mdb, [LEDGER, ACCOUNTS])).resolves.toEqual([
        '001_accounts',
        '002_ledger',
      ]);
      await expect(runMigrations(mdb, [ACCOUNTS, LEDGER])).resolves.toEqual([]);
      expect(await tablesIn(mdb)).toEqual(['accounts', 'ledger', 'schema_migrations']);
    });

    it('later applies only the new migrations', async () => {
      const later: Migration = {
        id: '003_notes',
        sql: 'ALTER TABLE accounts ADD COLUMN note text;',
      };
      await expect(runMigrations(mdb, [ACCOUNTS, LEDGER, later])).resolves.toEqual(['003_notes']);
      const { rows } = await mdb.query<{ id: string }>(
        'SELECT id FROM schema_migrations ORDER BY id',
      );
      expect(rows.map((r) => r.id)).toEqual(['001_accounts', '002_ledger', '003_notes']);
    });

    it('rolls back a failing batch entirely and records none of it', async () => {
      const good: Migration = { id: '004_tags', sql: 'CREATE TABLE tags (name text);' };
      const bad: Migration = {
        id: '005_broken',
        sql: 'CREATE TABLE oops (x int); SELECT * FROM nowhere;',
      };
      await expect(runMigrations(mdb, [ACCOUNTS, LEDGER, good, bad])).rejects.toThrow(/nowhere/);
      const tables = await tablesIn(mdb);
      expect(tables).not.toContain('tags');
      expect(tables).not.toContain('oops');
      const { rows } = await mdb.query<{ id: string }>(
        'SELECT id FROM schema_migrations ORDER BY id',
      );
      expect(rows.map((r) => r.id)).toEqual(['001_accounts', '002_ledger', '003_notes']);
      // Once fixed, the same ids apply.
      const fixed = { ...bad, sql: 'CREATE TABLE oops (x int);' };
      await expect(runMigrations(mdb, [good, fixed])).resolves.toEqual(['004_tags', '005_broken']);
    });

    it('keeps schemas apart: another handle does not see these tables', async () => {
      const other = await database.open('elsewhere');
      await runMigrations(other, [ACCOUNTS]);
      await other.query('INSERT INTO accounts (id, balance) VALUES ($1, $2)', ['a', '1.5']);
      await expect(mdb.query('SELECT id FROM accounts')).resolves.toMatchObject({ rows: [] });
      await expect(other.query('SELECT * FROM ledger')).rejects.toThrow(/ledger/);
      expect(await tablesIn(other)).toEqual(['accounts', 'schema_migrations']);
      const { rows } = await other.query('SELECT balance, hits FROM accounts');
      expect(rows).toEqual([{ balance: '1.500000', hits: '0' }]);
    });
  });

  it('serializes concurrent transactions so read-modify-write never loses an update', async () => {
    // On PGlite, one connection and a queue do this; on PostgreSQL it takes a row lock.
    const lock = mode === 'real' ? ' FOR UPDATE' : '';
    await Promise.all(
      Array.from({ length: 20 }, () =>
        db.transaction(async (tx) => {
          const { rows } = await tx.query<{ n: number }>(
            `SELECT n FROM counter WHERE id = 1${lock}`,
          );
          await new Promise((resolve) => setTimeout(resolve, 1));
          await tx.query('UPDATE counter SET n = $1 WHERE id = 1', [rows[0]!.n + 1]);
        }),
      ),
    );
    const { rows } = await db.query('SELECT n FROM counter WHERE id = 1');
    expect(rows).toEqual([{ n: 20 }]);
  });

  it('rejects a schema name that is not a plain identifier', async () => {
    await expect(database.open('bad; DROP SCHEMA public')).rejects.toThrow(/Invalid schema name/);
    await expect(database.open('Upper')).rejects.toThrow(/Invalid schema name/);
  });
});

describe('PGlite transactions', () => {
  it('do not interleave: each runs start to finish before the next begins', async () => {
    const database = await createTestDatabase('embedded');
    const db = await database.open('serial');
    try {
      const events: string[] = [];
      await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          db.transaction(async (tx) => {
            events.push(`begin ${i}`);
            await tx.query('SELECT pg_sleep(0.001)');
            events.push(`end ${i}`);
          }),
        ),
      );
      expect(events).toEqual([0, 1, 2, 3, 4].flatMap((i) => [`begin ${i}`, `end ${i}`]));
    } finally {
      await database.drop();
    }
  });
});
