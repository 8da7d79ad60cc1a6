import { readFileSync } from 'node:fs';
import { OperationTypeNode } from 'graphql';
import { rootFieldOwners } from './root-field-owners.js';

const committed = readFileSync(new URL('../../schema/supergraph.graphql', import.meta.url), 'utf8');

const sdl = (subscription: string) => `
schema @link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION) {
  query: Query
  subscription: Events
}
enum join__Graph {
  FLOWS @join__graph(name: "orchestration", url: "http://flows")
  INFER @join__graph(name: "inference", url: "http://inference")
}
type Query @join__type(graph: FLOWS) @join__type(graph: INFER) { ok: Boolean }
${subscription}
`;

describe('rootFieldOwners', () => {
  it('finds generateStream in the inference subgraph of the committed supergraph', () => {
    expect(rootFieldOwners(committed, OperationTypeNode.SUBSCRIPTION).get('generateStream')).toBe(
      'inference',
    );
  });

  it('finds generate and embed, and not a field another subgraph serves, among the mutations', () => {
    const owners = rootFieldOwners(committed, OperationTypeNode.MUTATION);
    expect(owners.get('generate')).toBe('inference');
    expect(owners.get('embed')).toBe('inference');
    expect(owners.get('generateStream')).toBeUndefined();
  });

  it('reads each field’s @join__field graph when several subgraphs add to the type', () => {
    const owners = rootFieldOwners(
      sdl(`type Events @join__type(graph: FLOWS) @join__type(graph: INFER) {
        runEvents: Int @join__field(graph: FLOWS)
        tokens: Int @join__field(graph: INFER)
      }`),
      OperationTypeNode.SUBSCRIPTION,
    );
    expect(Object.fromEntries(owners)).toEqual({ runEvents: 'orchestration', tokens: 'inference' });
  });

  it('leaves out a field that more than one subgraph could serve', () => {
    const owners = rootFieldOwners(
      sdl(`type Events @join__type(graph: FLOWS) @join__type(graph: INFER) {
        shared: Int
        both: Int @join__field(graph: FLOWS) @join__field(graph: INFER)
      }`),
      OperationTypeNode.SUBSCRIPTION,
    );
    expect(owners.size).toBe(0);
  });
});
