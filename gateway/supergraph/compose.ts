import { readFile } from 'node:fs/promises';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const SUPERGRAPH_CONFIG = new URL('../../schema/supergraph.yaml', import.meta.url);
export const SUPERGRAPH_FILE = new URL('../../schema/supergraph.graphql', import.meta.url);

const SupergraphConfig = z.object({
  subgraphs: z.record(
    z.string(),
    z.object({ routing_url: z.string(), schema: z.object({ file: z.string() }) }),
  ),
});

export interface SubgraphDefinition {
  name: string;
  url: string;
  typeDefs: string;
}

/** The subgraphs named in schema/supergraph.yaml, with their SDL read from disk. */
export async function readSubgraphs(configUrl = SUPERGRAPH_CONFIG): Promise<SubgraphDefinition[]> {
  const config = SupergraphConfig.parse(parseYaml(await readFile(configUrl, 'utf8')));
  return Promise.all(
    Object.entries(config.subgraphs).map(async ([name, subgraph]) => ({
      name,
      url: subgraph.routing_url,
      typeDefs: await readFile(new URL(subgraph.schema.file, configUrl), 'utf8'),
    })),
  );
}

/** Composes the subgraphs into a supergraph SDL, or throws listing every composition error. */
export function composeSupergraph(subgraphs: SubgraphDefinition[]): string {
  const result = composeServices(
    subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.typeDefs) })),
  );
  if (result.errors) {
    throw new Error(
      `Composition failed:\n${result.errors.map((e) => `  ${e.message}`).join('\n')}`,
    );
  }
  return `${result.supergraphSdl.trimEnd()}\n`;
}
