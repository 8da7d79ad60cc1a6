import { Kind, parse, type DefinitionNode } from 'graphql';
import { readSubgraphs } from '../gateway/supergraph/compose.js';
import { subgraphFolders } from './support/subgraph-list.js';

/** Every type, field, input field, enum value and argument a subgraph declares, without a description. */
function undocumented(sdl: string): string[] {
  const missing: string[] = [];
  const check = (node: { description?: unknown }, name: string) => {
    if (!node.description) missing.push(name);
  };
  for (const def of parse(sdl).definitions as DefinitionNode[]) {
    if (
      def.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      def.kind !== Kind.INPUT_OBJECT_TYPE_DEFINITION &&
      def.kind !== Kind.ENUM_TYPE_DEFINITION &&
      def.kind !== Kind.SCALAR_TYPE_DEFINITION
    ) {
      continue;
    }
    const type = def.name.value;
    if (type !== 'Query' && type !== 'Mutation') check(def, type);
    if (def.kind === Kind.ENUM_TYPE_DEFINITION) {
      for (const value of def.values ?? []) check(value, `${type}.${value.name.value}`);
    }
    if (
      def.kind === Kind.OBJECT_TYPE_DEFINITION ||
      def.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION
    ) {
      for (const field of def.fields ?? []) {
        check(field, `${type}.${field.name.value}`);
        if ('arguments' in field) {
          for (const arg of field.arguments ?? [])
            check(arg, `${type}.${field.name.value}(${arg.name.value})`);
        }
      }
    }
  }
  return missing;
}

describe('schema documentation (what developers read in Apollo Sandbox)', () => {
  it.each(subgraphFolders())('%s describes every type, field and argument', async (name) => {
    const subgraph = (await readSubgraphs()).find((s) => s.name === name);
    expect(undocumented(subgraph?.typeDefs ?? '')).toEqual([]);
  });
});
