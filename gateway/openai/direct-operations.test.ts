import { readFileSync } from 'node:fs';
import { Supergraph, operationFromDocument } from '@apollo/federation-internals';
import { QueryPlanner } from '@apollo/query-planner';
import { OperationTypeNode, parse } from 'graphql';
import { rootFieldOwners } from '../supergraph/root-field-owners.js';
import { CHAT, EMBED, MODELS, SINGLE_SUBGRAPH_OPERATIONS } from './operations.js';

const sdl = readFileSync(new URL('../../schema/supergraph.graphql', import.meta.url), 'utf8');
const supergraph = Supergraph.build(sdl);
const planner = new QueryPlanner(supergraph);
const owners = rootFieldOwners(sdl, OperationTypeNode.MUTATION);

/** The subgraphs Apollo Gateway's plan for `query` fetches from, in plan order. */
function fetchedSubgraphs(query: string): string[] {
  const plan = planner.buildQueryPlan(operationFromDocument(supergraph.schema, parse(query)));
  const names: string[] = [];
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const { kind, serviceName } = node as { kind?: string; serviceName?: string };
    if (kind === 'Fetch' && serviceName) names.push(serviceName);
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object') walk(value);
    }
  };
  walk(plan.node);
  return names;
}

// /v1 sends these straight to the subgraph owning their root field (decision 106): that is only
// right while the gateway's own plan for each is that one fetch.
describe('/v1 operations sent straight to one subgraph', () => {
  it.each([...SINGLE_SUBGRAPH_OPERATIONS].map((query) => [query.split('(')[0], query]))(
    '%s is one fetch to the owner of its root field',
    (_name, query) => {
      const root = /\{\s*(\w+)/.exec(query)?.[1] as string;
      expect(fetchedSubgraphs(query)).toEqual([owners.get(root)]);
    },
  );

  it('holds chat completions and embeddings', () => {
    expect([...SINGLE_SUBGRAPH_OPERATIONS]).toEqual([CHAT, EMBED]);
  });

  it('would see an operation that needs a second subgraph', () => {
    // models' `access` comes from policy: such an operation must stay with Apollo.
    expect(new Set(fetchedSubgraphs(MODELS)).size).toBeGreaterThan(1);
  });
});
