import { sourceOf, type Operation } from './typed-document.js';

/** What came back; `D` is the operation's result type (unknown for an untyped operation). */
export interface GraphQLResponse<D = unknown> {
  status: number;
  headers: Headers;
  body: {
    data?: D | null;
    errors?: ResponseError[];
  };
}

export interface ResponseError {
  message: string;
  path?: unknown[];
  extensions?: Record<string, unknown>;
}

export interface RequestOptions<V = Record<string, unknown>> {
  variables?: V;
  token?: string;
  headers?: Record<string, string>;
  operationName?: string;
}

/**
 * Sends one GraphQL operation over HTTP, as a client would. A typed document gives the result and
 * variables types; plain text gives `unknown` data unless the caller names `D`.
 */
export async function gql<D = unknown, V = Record<string, unknown>>(
  url: string,
  operation: Operation<D, V>,
  options: RequestOptions<V> = {},
): Promise<GraphQLResponse<D>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({
      query: sourceOf(operation),
      variables: options.variables,
      operationName: options.operationName,
    }),
  });
  const text = await response.text();
  let body: GraphQLResponse<D>['body'];
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`Non-JSON response (${response.status}): ${text.slice(0, 500)}`);
  }
  return { status: response.status, headers: response.headers, body };
}

/** Returns `data`, failing with the whole response when there were errors. */
export function expectNoErrors<D>(response: GraphQLResponse<D>): D {
  if (response.body.errors?.length || !response.body.data) {
    throw new Error(`Expected no errors, got:\n${JSON.stringify(response.body, null, 2)}`);
  }
  return response.body.data;
}

/** Asserts that some error carries `code`, failing with the whole response otherwise. */
export function expectErrorCode(response: GraphQLResponse<unknown>, code: string): ResponseError {
  const error = (response.body.errors ?? []).find((e) => e.extensions?.code === code);
  if (!error) {
    throw new Error(
      `Expected an error with code ${code}, got:\n${JSON.stringify(response.body, null, 2)}`,
    );
  }
  return error;
}
