import { createTestDatabase } from '../../test/support/stores.js';
import { STORE_MODES } from '../../test/support/test-env.js';

// Regression: PGlite reported rowCount 0 for a SELECT that returned rows.
describe.each(STORE_MODES)('SELECT rowCount (%s)', (mode) => {
  it('equals the number of rows returned', async () => {
    const database = await createTestDatabase(mode);
    const db = await database.open('rc');
    try {
      const { rows, rowCount } = await db.query('SELECT * FROM generate_series(1, 3) AS x');
      expect(rows).toHaveLength(3);
      expect(rowCount).toBe(3);
    } finally {
      await database.drop();
    }
  });
});
