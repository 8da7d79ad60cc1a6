import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { parse } from 'yaml';

/**
 * The subgraphs tests expect, read from the repository rather than listed by hand, so that one
 * added by `npm run subgraph:new` is checked like the rest.
 */
export const BUILT_IN_SUBGRAPHS = [
  'billing',
  'inference',
  'model-catalog',
  'orchestration',
  'policy',
  'wallet',
];

/** Every folder of subgraphs/ with a schema.graphql, sorted. */
export function subgraphFolders(): string[] {
  return readdirSync('subgraphs', { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(`subgraphs/${d.name}/schema.graphql`))
    .map((d) => d.name)
    .sort();
}

/** The subgraphs of schema/supergraph.yaml and the port of each one's routing URL. */
export function supergraphPorts(): Array<{ name: string; port: number }> {
  const config = parse(readFileSync('schema/supergraph.yaml', 'utf8')) as {
    subgraphs: Record<string, { routing_url: string }>;
  };
  return Object.entries(config.subgraphs).map(([name, s]) => ({
    name,
    port: Number(new URL(s.routing_url).port),
  }));
}

/** The subgraphs `npm run subgraph:new` added: in the supergraph, not built in. */
export function addedSubgraphs(): Array<{ name: string; port: number }> {
  return supergraphPorts().filter((s) => !BUILT_IN_SUBGRAPHS.includes(s.name));
}
