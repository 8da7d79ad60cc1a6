/**
 * A GraphQL operation's text with the types of its result and variables attached, so that
 * `gql(url, DOC, { variables })` and `stack.request(DOC, ...)` infer both: tests read typed data,
 * never `any`. The types are written by hand next to the operation (a test asks for few fields),
 * and `__types` is never set: it only carries them.
 *
 * @example
 * const MODEL = typed<{ model: { id: string } | null }, { id: string }>(
 *   'query Model($id: ID!) { model(id: $id) { id } }',
 * );
 */
export interface TypedDocument<Result, Variables = Record<string, unknown>> {
  readonly source: string;
  readonly __types?: { result: Result; variables: Variables };
}

export function typed<Result, Variables = Record<string, unknown>>(
  source: string,
): TypedDocument<Result, Variables> {
  return { source };
}

/** An operation as gql() accepts it: typed, or plain text (whose result is then `unknown`). */
export type Operation<Result, Variables> = TypedDocument<Result, Variables> | string;

export const sourceOf = (operation: Operation<unknown, unknown>): string =>
  typeof operation === 'string' ? operation : operation.source;
