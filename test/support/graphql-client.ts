export interface GraphQLResponse<D = Record<string, any>> {
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
  extensions?: Record<string, any>;
}

export interface RequestOptions {
  variables?: Record<string, unknown>;
  token?: string;
  headers?: Record<string, string>;
  operationName?: string;
}

/** Sends one GraphQL operation over HTTP, as a client would. */
export async function gql<D = Record<string, any>>(
  url: string,
  query: string,
  options: RequestOptions = {},
): Promise<GraphQLResponse<D>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({
      query,
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
