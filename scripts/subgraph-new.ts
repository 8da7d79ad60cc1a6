import { execFileSync } from 'node:child_process';
import { planScaffold, writePlan } from './scaffold/plan.js';

/*
 * `npm run subgraph:new <name>`: writes a new subgraph in the room plan of docs/add-a-subgraph.md
 * and registers it everywhere the platform lists subgraphs, then formats what it wrote and
 * regenerates the supergraph and the resolver types. Everything is planned before anything is
 * written: a bad name or a missing anchor changes nothing.
 */
const name = process.argv[2];
if (!name || process.argv.length > 3) {
  console.error('Usage: npm run subgraph:new <name>   (kebab-case, e.g. feature-flags)');
  process.exit(2);
}
const root = process.cwd();
let plan;
try {
  plan = planScaffold(root, name);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
writePlan(root, plan);
const run = (command: string, args: string[]) =>
  execFileSync(command, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
run('node_modules/.bin/prettier', ['--write', '--log-level', 'warn', ...Object.keys(plan.files)]);
run('npm', ['run', '--silent', 'compose']);
run('npm', ['run', '--silent', 'codegen']);

const { names } = plan;
console.log(`Added the ${names.name} subgraph (port ${names.port}, database schema ${names.snake}).
Wrote:
  ${plan.created.join('\n  ')}
  subgraphs/${names.name}/generated/resolvers-types.ts
Registered it in:
  ${plan.edited.join('\n  ')}
  schema/supergraph.graphql (composed)
Next: npm test -- subgraphs/${names.name} test/e2e/${names.name}.test.ts, then make
${names.camel}Info yours (docs/add-a-subgraph.md).`);
