import { createTestDatabase, type TestDatabase } from '../../test/support/stores.js';
import { REAL_STORES_REASON, TEST_DATABASE_URL } from '../../test/support/test-env.js';
import type { Db } from './index.js';

if (!TEST_DATABASE_URL) console.warn(`[prepared statements] Not run: ${REAL_STORES_REASON}`);

(TEST_DATABASE_URL ? describe : describe.skip)('prepared statements on PostgreSQL', () => {
  let database: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    database = await createTestDatabase('real');
    db = await database.open('prepared_probe');
    await db.exec('CREATE TABLE notes (id int PRIMARY KEY, body text)');
  });
  afterAll(() => database?.drop());

  it('prepares a parameterized statement once per connection and reuses it', async () => {
    await db.query('INSERT INTO notes VALUES ($1, $2)', [1, 'one']);
    await db.query('INSERT INTO notes VALUES ($1, $2)', [2, 'two']);
    // A transaction holds one connection: the statement it prepared is listed there.
    const prepared = await db.transaction(async (tx) => {
      await tx.query('SELECT body FROM notes WHERE id = $1', [1]);
      await tx.query('SELECT body FROM notes WHERE id = $1', [2]);
      return (
        await tx.query<{ name: string; statement: string }>(
          'SELECT name, statement FROM pg_prepared_statements',
        )
      ).rows;
    });
    expect(prepared).toEqual(
      expect.arrayContaining([
        { name: expect.stringMatching(/^mg_/), statement: 'SELECT body FROM notes WHERE id = $1' },
      ]),
    );
  });

  it('answers a statement whose prepared result shape a migration changed', async () => {
    const select = 'SELECT * FROM notes WHERE id = $1';
    // Prepared on every pooled connection the pool uses for it.
    for (let i = 0; i < 20; i += 1) await db.query(select, [1]);
    await db.exec('ALTER TABLE notes ADD COLUMN tag text');
    for (let i = 0; i < 20; i += 1) {
      expect((await db.query(select, [1])).rows).toEqual([{ id: 1, body: 'one', tag: null }]);
    }
  });
});
