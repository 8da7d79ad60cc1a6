import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { codeFiles } from './code-templates.js';
import { k8sManifest } from './deploy-templates.js';
import { subgraphNames, type SubgraphNames } from './names.js';
import { registrations } from './registrations.js';
import { testFiles } from './test-templates.js';

/** Everything one scaffold writes: new files and the new text of edited ones, by path. */
export interface ScaffoldPlan {
  names: SubgraphNames;
  created: string[];
  edited: string[];
  files: Record<string, string>;
}

/** The supergraph's subgraphs and the ports of their routing URLs. */
function supergraphPorts(root: string): Map<string, number> {
  const config = parse(readFileSync(join(root, 'schema/supergraph.yaml'), 'utf8')) as {
    subgraphs: Record<string, { routing_url: string }>;
  };
  return new Map(
    Object.entries(config.subgraphs).map(([name, s]) => [
      name,
      Number(new URL(s.routing_url).port),
    ]),
  );
}

/** Why `n` would clash with what the repository has, if it would. */
function clashes(root: string, n: SubgraphNames, ports: Map<string, number>): string[] {
  const read = (path: string) => readFileSync(join(root, path), 'utf8');
  const problems: string[] = [];
  if (ports.has(n.name)) problems.push(`schema/supergraph.yaml already has ${n.name}`);
  for (const path of [
    `subgraphs/${n.name}`,
    `test/e2e/${n.name}.test.ts`,
    `deploy/k8s/base/${n.name}.yaml`,
  ]) {
    if (existsSync(join(root, path))) problems.push(`${path} exists`);
  }
  if (read('README.md').includes(`\`${n.constant}_URL\``)) {
    problems.push(`${n.constant}_URL is already a configuration variable (README.md)`);
  }
  const supergraph = read('schema/supergraph.graphql');
  if (new RegExp(`\\b(${n.pascal}Info|${n.camel}Info)\\b`).test(supergraph)) {
    problems.push(`the supergraph already has ${n.pascal}Info or ${n.camel}Info`);
  }
  for (const name of ports.keys()) {
    const server = join(root, 'subgraphs', name, 'server.ts');
    if (existsSync(server) && readFileSync(server, 'utf8').includes(`_SCHEMA = '${n.snake}'`)) {
      problems.push(`the ${name} subgraph already uses the database schema ${n.snake}`);
    }
  }
  return problems;
}

/** Plans the scaffold of `name` in the repository at `root`; throws before anything is written. */
export function planScaffold(root: string, name: string): ScaffoldPlan {
  const ports = supergraphPorts(root);
  const names = subgraphNames(name, Math.max(...ports.values()) + 1);
  const problems = clashes(root, names, ports);
  if (problems.length) throw new Error(`Cannot add ${name}:\n  ${problems.join('\n  ')}`);
  const created = {
    ...codeFiles(names),
    ...testFiles(names),
    [`deploy/k8s/base/${names.name}.yaml`]: k8sManifest(names),
  };
  const edited = Object.fromEntries(
    Object.entries(registrations(names)).map(([path, edit]) => [
      path,
      edit(readFileSync(join(root, path), 'utf8')),
    ]),
  );
  return {
    names,
    created: Object.keys(created),
    edited: Object.keys(edited),
    files: { ...created, ...edited },
  };
}

/** Writes every file of the plan. */
export function writePlan(root: string, plan: ScaffoldPlan): void {
  for (const [path, text] of Object.entries(plan.files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}
