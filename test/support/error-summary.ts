import type { GraphQLResponse } from './graphql-client.js';

export interface ErrorSummary {
  code: unknown;
  path?: unknown[];
  field?: unknown;
}

/** Code, path and (where set) field of every error, to assert on all of them at once. */
export function errorsOf(response: GraphQLResponse<unknown>): ErrorSummary[] {
  return (response.body.errors ?? []).map((e) => ({
    code: e.extensions?.code,
    ...(e.path ? { path: e.path } : {}),
    ...(e.extensions?.field !== undefined ? { field: e.extensions.field } : {}),
  }));
}

/** Code and (where set) field of a response's only error; fails when it has none or several. */
export function onlyError(response: GraphQLResponse<unknown>): Omit<ErrorSummary, 'path'> {
  const errors = errorsOf(response);
  if (errors.length !== 1) {
    throw new Error(`Expected exactly one error, got:\n${JSON.stringify(response.body, null, 2)}`);
  }
  const { code, field } = errors[0] as ErrorSummary;
  return field === undefined ? { code } : { code, field };
}
