import { composeService, networkPolicy } from './deploy-templates.js';
import type { SubgraphNames } from './names.js';

/** One change to a file that exists: its text before, and after. */
export type Edit = (text: string) => string;

/** Replaces the one match of `anchor`, or fails naming the file and what it looked for. */
function replaceAt(file: string, text: string, anchor: RegExp, replace: (match: string) => string) {
  const matches = text.match(new RegExp(anchor.source, `${anchor.flags.replace('g', '')}g`));
  if (matches?.length !== 1) {
    throw new Error(
      `${file}: expected exactly one ${anchor} to edit, found ${matches?.length ?? 0}; was it changed by hand?`,
    );
  }
  return text.replace(anchor, replace);
}

/** Appends `item` to the one array literal `anchor` matches (group 1: the items). */
function appendToArray(file: string, text: string, anchor: RegExp, item: string) {
  return replaceAt(file, text, anchor, (match) => {
    const items = anchor.exec(match)![1]!.trim().replace(/,$/, '');
    // The literal is the last bracket pair (a type such as `X[]` may come before it).
    return match.replace(/\[[^[\]]*\](?=[^[\]]*$)/, `[${items ? `${items}, ` : ''}${item}]`);
  });
}

/**
 * Where the new subgraph is registered, by file: each edit finds its anchor or throws, so a
 * missing anchor stops the scaffold before anything is written.
 */
export function registrations(n: SubgraphNames): Record<string, Edit> {
  return {
    'schema/supergraph.yaml': (text) =>
      `${text.trimEnd()}\n  ${n.name}:\n    routing_url: http://127.0.0.1:${n.port}/graphql\n    schema:\n      file: ../subgraphs/${n.name}/schema.graphql\n`,
    'gateway/config.ts': (text) =>
      appendToArray(
        'gateway/config.ts',
        text,
        /export const SUBGRAPH_NAMES = \[([^\]]*)\];/,
        `'${n.name}'`,
      ),
    'subgraphs/standalone-subgraphs.ts': (text) => {
      const file = 'subgraphs/standalone-subgraphs.ts';
      const imported = replaceAt(
        file,
        text,
        /\n\/\/ `npm run subgraph:new` adds each new subgraph's import above this line/,
        (match) => `\nimport { ${n.camel}Subgraph } from './${n.name}/server.js';${match}`,
      );
      return appendToArray(
        file,
        imported,
        /export const STANDALONE_SUBGRAPHS: StandaloneSubgraph\[\] = \[([^\]]*)\];/,
        `${n.camel}Subgraph`,
      );
    },
    'deploy/k8s/base/kustomization.yaml': (text) =>
      replaceAt(
        'deploy/k8s/base/kustomization.yaml',
        text,
        /\n {2}- ingress\.yaml\n/,
        (match) => `\n  - ${n.name}.yaml${match}`,
      ),
    'deploy/k8s/base/network-policies.yaml': (text) =>
      `${replaceAt(
        'deploy/k8s/base/network-policies.yaml',
        text,
        /(ports: \[\{ protocol: TCP, port: 4001, endPort: )\d+( \}\])/,
        (match) => match.replace(/endPort: \d+/, `endPort: ${n.port}`),
      ).trimEnd()}\n${networkPolicy(n)}`,
    'deploy/docker-compose.yml': (text) => addComposeService(n, text),
    '.github/workflows/deliver.yml': (text) =>
      replaceAt(
        '.github/workflows/deliver.yml',
        text,
        /(\n\s+DEPLOYMENTS: [a-z -]+) gateway\n/,
        (match) => match.replace(/ gateway\n$/, ` ${n.name} gateway\n`),
      ),
  };
}

/** Which of `lines` match `pattern`, by index. */
const indexesOf = (lines: string[], pattern: RegExp) =>
  lines.flatMap((line, i) => (pattern.test(line) ? [i] : []));

/**
 * The new service before the gateway's, and in the gateway's block its URL after the last
 * subgraph URL and its health after the last `depends_on` entry.
 */
function addComposeService(n: SubgraphNames, text: string): string {
  const file = 'deploy/docker-compose.yml';
  const lines = text.split('\n');
  const first = lines.indexOf('  gateway:');
  if (first < 0) throw new Error(`${file}: no gateway service to add ${n.name} before.`);
  let end = first + 1;
  while (end < lines.length && (lines[end]!.startsWith('   ') || lines[end] === '')) end++;
  const block = lines.slice(first, end);
  const urls = indexesOf(block, /^ {6}[A-Z_]+_URL: http:\/\/[a-z-]+:\d+\/graphql$/);
  const healthy = indexesOf(block, /^ {6}[a-z-]+: \{ condition: service_healthy \}$/);
  if (!urls.length || !healthy.length) {
    throw new Error(`${file}: the gateway has no subgraph URL or depends_on entry to add to.`);
  }
  const inserts: Array<[number, string]> = [
    [urls.at(-1)! + 1, `      ${n.constant}_URL: http://${n.name}:${n.port}/graphql`],
    [healthy.at(-1)! + 1, `      ${n.name}: { condition: service_healthy }`],
  ];
  // The later line first, so the earlier index still holds.
  for (const [at, line] of inserts.sort((x, y) => y[0] - x[0])) block.splice(at, 0, line);
  return [
    ...lines.slice(0, first),
    ...composeService(n).trimEnd().split('\n'),
    ...block,
    ...lines.slice(end),
  ].join('\n');
}
