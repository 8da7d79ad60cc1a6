import { readFileSync } from 'node:fs';
import { Supergraph } from '@apollo/federation-internals';
import { printSchema } from 'graphql';

export const SUPERGRAPH_FILE = new URL('../../schema/supergraph.graphql', import.meta.url);

/** The public API schema (what clients see at /graphql), from the committed supergraph. */
export function apiSchemaSdl(): string {
  const supergraph = Supergraph.build(readFileSync(SUPERGRAPH_FILE, 'utf8'));
  return printSchema(supergraph.apiSchema().toGraphQLJSSchema());
}
