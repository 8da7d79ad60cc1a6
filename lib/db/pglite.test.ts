import { createPgliteDatabase } from './pglite.js';

// `npm start` and the test stack put every subgraph's schema on one embedded database: each handle
// must still read and write its own schema only, however their calls interleave.
describe('one embedded PGlite shared by several schemas', () => {
  it('keeps each handle in its own schema, transactions included', async () => {
    const database = await createPgliteDatabase();
    const [a, b] = await Promise.all([database.open('first'), database.open('second')]);
    await Promise.all([
      a.exec(`CREATE TABLE items (name text); INSERT INTO items VALUES ('a1')`),
      b.exec(`CREATE TABLE items (name text); INSERT INTO items VALUES ('b1'), ('b2')`),
    ]);
    await Promise.all([
      a.transaction(async (tx) => {
        await tx.query(`INSERT INTO items VALUES ('a2')`);
        await tx.query(`INSERT INTO items VALUES ('a3')`);
      }),
      b.query(`DELETE FROM items WHERE name = 'b2'`),
      b
        .transaction(async (tx) => {
          await tx.query(`INSERT INTO items VALUES ('b3')`);
          throw new Error('rolled back');
        })
        .catch(() => undefined),
    ]);
    const names = async (db: typeof a) =>
      (await db.query<{ name: string }>('SELECT name FROM items ORDER BY name')).rows.map(
        (r) => r.name,
      );
    expect(await names(a)).toEqual(['a1', 'a2', 'a3']);
    expect(await names(b)).toEqual(['b1']);
    await a.close();
    await expect(a.query('SELECT 1')).rejects.toThrow(/closed/);
    // The database stays open for the handles not yet closed.
    expect(await names(b)).toEqual(['b1']);
    await b.close();
    await expect(database.open('third')).rejects.toThrow(/closed/);
  });
});
