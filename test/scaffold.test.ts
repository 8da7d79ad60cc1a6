import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';

const run = promisify(execFile);

/** Long: the copy is type-checked whole and runs a subgraph and an end-to-end suite of its own. */
const SCAFFOLD_CHECKS_TIMEOUT_MS = 15 * 60_000;
const NAME = 'sample-notes';

/** This working tree's files (committed or not, ignored ones left out) copied to a new folder. */
async function copyRepository(): Promise<string> {
  const copy = mkdtempSync(join(tmpdir(), 'modelgraph-scaffold-'));
  const { stdout } = await run(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    { cwd: process.cwd(), maxBuffer: 64 * 1024 * 1024 },
  );
  for (const file of stdout.split('\0').filter((f) => f && f !== 'node_modules')) {
    cpSync(file, join(copy, file), { recursive: true, dereference: false, errorOnExist: false });
  }
  symlinkSync(realpathSync('node_modules'), join(copy, 'node_modules'));
  return copy;
}

/** The port after the highest of the supergraph's routing URLs in `root`: the new subgraph's. */
function nextPort(root: string): number {
  const config = parse(readFileSync(join(root, 'schema/supergraph.yaml'), 'utf8')) as {
    subgraphs: Record<string, { routing_url: string }>;
  };
  const ports = Object.values(config.subgraphs).map((s) => Number(new URL(s.routing_url).port));
  return Math.max(...ports) + 1;
}

// `npm run subgraph:new` on a copy of the repository, and the copy's own checks on what it wrote:
// what a partner team runs and what CI would then check.
describe('npm run subgraph:new', () => {
  let copy: string;
  const inCopy = (command: string, args: string[]) =>
    run(command, args, { cwd: copy, env: process.env, maxBuffer: 64 * 1024 * 1024 });
  const git = (...args: string[]) =>
    inCopy('git', ['-c', 'user.name=scaffold', '-c', 'user.email=scaffold@test', ...args]);

  beforeAll(async () => {
    copy = await copyRepository();
    await git('init', '--quiet');
    await git('add', '--all');
    await git('commit', '--quiet', '--no-verify', '--message', 'before the scaffold');
  }, SCAFFOLD_CHECKS_TIMEOUT_MS);
  afterAll(() => {
    if (copy && dirname(copy) === tmpdir()) rmSync(copy, { recursive: true, force: true });
  });

  it('refuses a bad name and writes nothing', async () => {
    // The name rules themselves: scripts/scaffold/names.test.ts.
    for (const name of ['Sample_Notes', 'wallet']) {
      await expect(inCopy('npm', ['run', '--silent', 'subgraph:new', '--', name])).rejects.toThrow(
        /kebab-case|already has|reserved/,
      );
    }
    expect((await git('status', '--porcelain')).stdout).toBe('');
  });

  it(
    'writes a subgraph that passes the checks untouched',
    async () => {
      // 4006 in this repository; later, after the subgraphs partners added.
      const port = nextPort(copy);
      const { stdout } = await inCopy('npm', ['run', '--silent', 'subgraph:new', '--', NAME]);
      expect(stdout).toContain(`Added the ${NAME} subgraph (port ${port}`);
      await git('add', '--all');
      const changed = (await git('diff', '--cached', '--name-only')).stdout.trim().split('\n');
      expect(changed).toEqual(
        expect.arrayContaining([
          '.github/workflows/deliver.yml',
          'deploy/docker-compose.yml',
          `deploy/k8s/base/${NAME}.yaml`,
          'deploy/k8s/base/kustomization.yaml',
          'deploy/k8s/base/network-policies.yaml',
          'gateway/config.ts',
          'schema/supergraph.graphql',
          'schema/supergraph.yaml',
          `subgraphs/${NAME}/generated/resolvers-types.ts`,
          `subgraphs/${NAME}/${NAME}.subgraph.test.ts`,
          `subgraphs/${NAME}/config.test.ts`,
          `subgraphs/${NAME}/permissions.test.ts`,
          'subgraphs/standalone-subgraphs.ts',
          `test/e2e/${NAME}.test.ts`,
        ]),
      );
      // A second run for the same name is refused.
      await expect(inCopy('npm', ['run', '--silent', 'subgraph:new', '--', NAME])).rejects.toThrow(
        /already has sample-notes/,
      );

      await inCopy('npm', ['run', '--silent', 'typecheck']);
      // Generated files are eslint-ignored (naming one is a warning); prettier checks them all.
      const code = changed.filter((f) => f.endsWith('.ts') && !f.includes('/generated/'));
      await inCopy('node_modules/.bin/eslint', ['--max-warnings', '0', ...code]);
      await inCopy('node_modules/.bin/prettier', ['--check', ...changed]);
      await inCopy('npm', ['run', '--silent', 'codegen:check']);
      // Composition and drift, the lists of subgraphs the deploy tests read, and the new
      // subgraph's own unit, subgraph and end-to-end tests.
      await inCopy(process.execPath, [
        '--experimental-vm-modules',
        'node_modules/jest/bin/jest.js',
        '--ci',
        'test/composition.test.ts',
        'test/schema-descriptions.test.ts',
        'test/deploy-k8s.test.ts',
        'test/deploy-containers.test.ts',
        'test/delivery-workflow.test.ts',
        `subgraphs/${NAME}/`,
        `test/e2e/${NAME}.test.ts`,
      ]);
    },
    SCAFFOLD_CHECKS_TIMEOUT_MS,
  );
});
