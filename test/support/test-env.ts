import { TEST_DATABASE_URL, TEST_REDIS_URL, TEST_RESOURCE_PREFIX } from './global-setup.js';

/**
 * Where the real servers are, for tests. CI (and README's test command) set DATABASE_URL and
 * REDIS_URL; without them, suites that need real servers say so and run on embedded stores only.
 */
export { REAL_STORES_REASON, TEST_DATABASE_URL, TEST_REDIS_URL } from './global-setup.js';

export type StoreMode = 'embedded' | 'real';

/** Every store mode this run can exercise: embedded always, real when both servers are set. */
export const STORE_MODES: StoreMode[] =
  TEST_DATABASE_URL && TEST_REDIS_URL ? ['embedded', 'real'] : ['embedded'];

export function testResourceName(): string {
  const random = Math.random().toString(36).slice(2, 10);
  return `${TEST_RESOURCE_PREFIX}${Math.floor(Date.now() / 1000)}_${process.pid}_${random}`;
}
