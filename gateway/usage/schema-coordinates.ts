import {
  Kind,
  TypeInfo,
  getNamedType,
  visit,
  visitWithTypeInfo,
  type ASTNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

/** A field's coordinate, `Type.field`. */
export const fieldCoordinate = (type: string, field: string) => `${type}.${field}`;

/** An argument's coordinate, `Type.field(arg:)` (GraphQL's schema coordinate syntax). */
export const argumentCoordinate = (type: string, field: string, arg: string) =>
  `${type}.${field}(${arg}:)`;

/** The fragments `operation` spreads, directly or through other fragments. */
function fragmentsOf(document: DocumentNode, operation: OperationDefinitionNode) {
  const definitions = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      definitions.set(definition.name.value, definition);
    }
  }
  const reached = new Map<string, FragmentDefinitionNode>();
  const walk = (node: ASTNode) =>
    visit(node, {
      FragmentSpread(spread) {
        const fragment = definitions.get(spread.name.value);
        if (!fragment || reached.has(fragment.name.value)) return;
        reached.set(fragment.name.value, fragment);
        walk(fragment);
      },
    });
  walk(operation);
  return [...reached.values()];
}

/**
 * The schema coordinates one operation of a valid document uses: every field it selects, on the
 * type it is selected on (`Node.id` through an interface, `Model.id` in `... on Model`), every
 * argument it passes (`Query.models(first:)`), every input field and enum value it writes
 * literally (`CreateTeamInput.name`, `TeamRole.ADMIN`). Meta fields (`__typename`, `__schema`) are
 * left out; so are input fields passed inside variables, which only the request's values show.
 * Sorted, each once.
 */
export function coordinatesOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): string[] {
  const found = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  const visitor = visitWithTypeInfo(typeInfo, {
    Field(node) {
      const parent = typeInfo.getParentType();
      const name = node.name.value;
      if (!parent || name.startsWith('__')) return;
      found.add(fieldCoordinate(parent.name, name));
      for (const argument of node.arguments ?? []) {
        found.add(argumentCoordinate(parent.name, name, argument.name.value));
      }
    },
    ObjectField(node) {
      const input = getNamedType(typeInfo.getParentInputType());
      if (input) found.add(fieldCoordinate(input.name, node.name.value));
    },
    EnumValue(node) {
      const value = typeInfo.getEnumValue();
      const type = getNamedType(typeInfo.getInputType());
      if (value && type) found.add(fieldCoordinate(type.name, node.value));
    },
  });
  visit(operation, visitor);
  // A fragment's own type condition sets the types its fields are read on.
  for (const fragment of fragmentsOf(document, operation)) visit(fragment, visitor);
  return [...found].sort();
}
