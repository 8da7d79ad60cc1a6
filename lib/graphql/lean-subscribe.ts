import {
  GraphQLObjectType,
  GraphQLSchema,
  Kind,
  createSourceEventStream,
  execute,
  getOperationAST,
  visit,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';

/**
 * graphql-js's `subscribe`, without its cost per event. graphql 16 runs every event through a new
 * `execute`, which coerces the operation's variables and the root field's arguments again: for
 * `generateStream` that is the whole prompt, once per delta (it was the largest CPU cost of a
 * stream). The root field's arguments only matter when the source stream is created; events only
 * select from the payload. So events run against a copy of the document whose root fields have no
 * arguments, keeping only the variables the selections still use (in `@include(if: $x)`, say),
 * on a copy of the schema whose subscription fields take none (every other type is shared, with
 * its resolvers and their shield rules). Same results as `subscribe`; a source stream that fails
 * to start answers its errors.
 */
export async function leanSubscribe(
  args: ExecutionArgs,
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in source)) return source;
  const events = { ...eventArgsOf(args), schema: eventSchemaOf(args.schema) };
  const iterator = source[Symbol.asyncIterator]();
  const run = async (next: IteratorResult<unknown>): Promise<IteratorResult<ExecutionResult>> =>
    next.done
      ? { done: true, value: undefined }
      : { done: false, value: await execute({ ...events, rootValue: next.value }) };
  // Not an async generator: its return() would wait for a pending next(), and a client that
  // leaves must reach the source (and stop the paid call) at once, as graphql's own map does.
  const mapped: AsyncIterableIterator<ExecutionResult> = {
    next: async () => run(await iterator.next()),
    return: async () => {
      await iterator.return?.();
      return { done: true, value: undefined };
    },
    throw: async (error: unknown) => {
      if (iterator.throw) return run(await iterator.throw(error));
      await iterator.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return mapped;
}

const eventSchemas = new WeakMap<GraphQLSchema, GraphQLSchema>();

/** `schema` with a Subscription type whose fields take no arguments: events are run on it. */
function eventSchemaOf(schema: GraphQLSchema): GraphQLSchema {
  const known = eventSchemas.get(schema);
  if (known) return known;
  const config = schema.toConfig();
  const subscription = schema.getSubscriptionType();
  let eventSchema = schema;
  if (subscription) {
    const fields = subscription.toConfig().fields;
    const lean = new GraphQLObjectType({
      ...subscription.toConfig(),
      fields: Object.fromEntries(
        Object.entries(fields).map(([name, field]) => [name, { ...field, args: {} }]),
      ),
    });
    eventSchema = new GraphQLSchema({
      ...config,
      subscription: lean,
      types: config.types.map((type) => (type === subscription ? lean : type)),
    });
  }
  eventSchemas.set(schema, eventSchema);
  return eventSchema;
}

/** The execution arguments for events: the lean document, and only the variables it uses. */
function eventArgsOf(args: ExecutionArgs): ExecutionArgs {
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation) return args;
  const rootType = args.schema.getSubscriptionType()?.name ?? 'Subscription';
  const stripped = withoutRootArguments(args.document, operation, rootType);
  const used = variablesUsed(stripped);
  const document: DocumentNode = {
    ...stripped,
    definitions: stripped.definitions.map((definition) =>
      definition.kind === Kind.OPERATION_DEFINITION
        ? {
            ...definition,
            variableDefinitions: definition.variableDefinitions?.filter((d) =>
              used.has(d.variable.name.value),
            ),
          }
        : definition,
    ),
  };
  const variableValues =
    used.size === 0 || !args.variableValues
      ? undefined
      : Object.fromEntries(Object.entries(args.variableValues).filter(([name]) => used.has(name)));
  return { ...args, document, variableValues };
}

/** The root fields (of the operation, and of fragments on the root type) lose their arguments. */
function withoutRootArguments(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  rootType: string,
): DocumentNode {
  const stripRoot = (selections: readonly unknown[]) =>
    selections.map((selection) => {
      const field = selection as FieldNode;
      return field.kind === Kind.FIELD ? { ...field, arguments: [] } : field;
    });
  return {
    ...document,
    definitions: document.definitions.map((definition) => {
      if (definition === operation) {
        return {
          ...operation,
          selectionSet: {
            ...operation.selectionSet,
            selections: stripRoot(operation.selectionSet.selections),
          },
        } as OperationDefinitionNode;
      }
      const fragment = definition as FragmentDefinitionNode;
      if (
        fragment.kind === Kind.FRAGMENT_DEFINITION &&
        fragment.typeCondition.name.value === rootType
      ) {
        return {
          ...fragment,
          selectionSet: {
            ...fragment.selectionSet,
            selections: stripRoot(fragment.selectionSet.selections),
          },
        } as FragmentDefinitionNode;
      }
      return definition;
    }),
  };
}

/** The variables a document's selections use (variable definitions themselves not counted). */
function variablesUsed(document: DocumentNode): Set<string> {
  const used = new Set<string>();
  visit(document, {
    VariableDefinition: () => false,
    Variable: (node) => void used.add(node.name.value),
  });
  return used;
}
