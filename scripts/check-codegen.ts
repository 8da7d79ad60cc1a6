import { readFile } from 'node:fs/promises';
import { generate } from '@graphql-codegen/cli';
import config from '../codegen.js';
import consoleConfig from '../console/codegen.js';

// `npm run codegen:check`: exits 1 when a committed generated file differs from what the schemas
// (and the console's operations) generate now (run `npm run codegen` to fix).
type Output = { filename: string; content: string };
const outputs = (await generate({ ...config, silent: true }, false)) as Output[];
const consoleOutputs = (await generate({ ...consoleConfig, silent: true }, false)) as Output[];
const stale: string[] = [];
for (const output of [...outputs, ...consoleOutputs]) {
  const committed = await readFile(output.filename, 'utf8').catch(() => null);
  if (committed !== output.content) stale.push(output.filename);
}
if (stale.length) {
  console.error(`Generated files are stale; run \`npm run codegen\`:\n  ${stale.join('\n  ')}`);
  process.exit(1);
}
console.log(`${outputs.length} generated files match the schemas.`);
console.log(`${consoleOutputs.length} console files match its operations and the supergraph.`);
