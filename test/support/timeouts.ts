/**
 * How long a beforeAll that starts a platform (startStack, startEmulatedStack, startCatalog) may
 * take. A stack starts in ~1-3 s on a quiet machine, but a fresh clone's first run on a busy one
 * (PGlite's first initdb, cold transpiles, other suites on both cores) took past jest's 30 s
 * default; this leaves room for that, and a stack that never starts still fails the suite.
 */
export const STACK_START_TIMEOUT_MS = 120_000;
