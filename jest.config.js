// ESM all the way: jest runs under --experimental-vm-modules (see the `test` script) and ts-jest
// only transpiles (tsconfig's isolatedModules); `npm run typecheck` is what checks types.
//
// Four projects, one per test layer (STYLE.md "Tests in four layers"); `npm test` runs them all,
// `npm test -- --selectProjects e2e` (or `npm run test:e2e`) runs one.
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  testTimeout: 30_000,
};
const ignored = ['/node_modules/', '/dist/'];

/** @type {import('jest').Config} */
export default {
  // Global: runs once per run, whichever projects are selected.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  testTimeout: 30_000,
  // Tests run in a worker process that is replaced once it holds more than this after a file.
  // Run in band (jest's choice on 2 cores), one process took every file's ESM modules and embedded
  // databases along: by the 50th file it held 3 GB and ran each file 3–4 times slower.
  workerIdleMemoryLimit: '1GB',
  // Three workers on two cores: most of an end-to-end file's time is spent waiting (on processes
  // starting, sweepers, retries, streams), so one worker left a core idle (jest's default on two
  // cores is one), and two still left a fifth of both idle. On 2026-12-08 the whole suite took
  // 851 s with three against 1,112 s with two (the latter with jest's transform cache cold).
  maxWorkers: 3,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/**/*.test.ts'],
      testPathIgnorePatterns: [...ignored, '<rootDir>/test/', '\\.subgraph\\.test\\.ts$'],
    },
    {
      ...common,
      displayName: 'subgraph',
      testMatch: ['<rootDir>/**/*.subgraph.test.ts'],
      testPathIgnorePatterns: ignored,
    },
    {
      ...common,
      displayName: 'composition',
      testMatch: ['<rootDir>/test/*.test.ts'],
      testPathIgnorePatterns: ignored,
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      testPathIgnorePatterns: ignored,
    },
  ],
};
