import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { subgraphFolders } from './support/subgraph-list.js';

const run = promisify(execFile);

// graphql-codegen's plugins cannot load inside jest's VM modules, so the check runs as its own
// process (the same script CI and developers run: `npm run codegen:check`).
describe('generated resolver types', () => {
  it('match the subgraph schemas (run `npm run codegen` after changing an SDL)', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'scripts/check-codegen.ts'],
      {
        cwd: process.cwd(),
      },
    );
    const files = subgraphFolders().length;
    expect(files).toBeGreaterThanOrEqual(5);
    expect(stdout).toMatch(new RegExp(`^${files} generated files match the schemas\\.`, 'm'));
  }, 60_000);
});
