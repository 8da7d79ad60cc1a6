import {
  Kind,
  parse,
  type OperationTypeNode,
  type ConstDirectiveNode,
  type DocumentNode,
  type ObjectTypeDefinitionNode,
  type ObjectTypeExtensionNode,
} from 'graphql';

const enumArgument = (directive: ConstDirectiveNode, name: string): string | undefined => {
  const value = directive.arguments?.find((a) => a.name.value === name)?.value;
  return value?.kind === Kind.ENUM ? value.value : undefined;
};

const stringArgument = (directive: ConstDirectiveNode, name: string): string | undefined => {
  const value = directive.arguments?.find((a) => a.name.value === name)?.value;
  return value?.kind === Kind.STRING ? value.value : undefined;
};

/** `join__Graph` enum values (e.g. INFERENCE) to the subgraph names composition gave them. */
function graphNames(document: DocumentNode): Map<string, string> {
  const names = new Map<string, string>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') {
      continue;
    }
    for (const value of definition.values ?? []) {
      const graph = value.directives?.find((d) => d.name.value === 'join__graph');
      const name = graph && stringArgument(graph, 'name');
      if (name) names.set(value.name.value, name);
    }
  }
  return names;
}

const DEFAULT_ROOT_TYPES = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' };

function rootTypeName(document: DocumentNode, operation: OperationTypeNode): string {
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION) continue;
    const entry = definition.operationTypes.find((o) => o.operation === operation);
    if (entry) return entry.type.name.value;
  }
  return DEFAULT_ROOT_TYPES[operation];
}

/**
 * Which subgraph serves each root field of `operation`'s type, read from the supergraph's join
 * directives: a field's own `@join__field(graph:)`, else the `@join__type(graph:)` of its type
 * when exactly one subgraph defines the type (composition leaves out `@join__field` then). A
 * field more than one subgraph could serve has no single owner and is left out: such a
 * subscription cannot be streamed, nor such a mutation sent straight to its subgraph.
 */
export function rootFieldOwners(
  supergraphSdl: string,
  operation: OperationTypeNode,
): Map<string, string> {
  const document = parse(supergraphSdl, { noLocation: true });
  const graphs = graphNames(document);
  const typeName = rootTypeName(document, operation);
  const owners = new Map<string, string>();
  const nodes = document.definitions.filter(
    (d): d is ObjectTypeDefinitionNode | ObjectTypeExtensionNode =>
      (d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.OBJECT_TYPE_EXTENSION) &&
      d.name.value === typeName,
  );
  for (const node of nodes) {
    const typeGraphs = (node.directives ?? [])
      .filter((d) => d.name.value === 'join__type')
      .map((d) => enumArgument(d, 'graph'))
      .filter((g): g is string => g !== undefined);
    for (const field of node.fields ?? []) {
      const fieldGraphs = (field.directives ?? [])
        .filter((d) => d.name.value === 'join__field')
        .map((d) => enumArgument(d, 'graph'))
        .filter((g): g is string => g !== undefined);
      const candidates = new Set(fieldGraphs.length > 0 ? fieldGraphs : typeGraphs);
      if (candidates.size !== 1) continue;
      const name = graphs.get([...candidates][0] as string);
      if (name) owners.set(field.name.value, name);
    }
  }
  return owners;
}
