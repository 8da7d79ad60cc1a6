import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { credentialRefused, storedToken } from './session';

/** The name the gateway's trusted documents know the console by (decision 91). */
export const CLIENT_NAME = 'modelgraph-console';
const CLIENT_VERSION = import.meta.env.VITE_CONSOLE_VERSION ?? 'dev';

/** A GraphQL error the console shows: its message and the stable `extensions.code`. */
export class GraphQLRequestError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

interface GraphQLError {
  message: string;
  extensions?: { code?: string };
}

interface GraphQLResult<D> {
  data?: D | null;
  errors?: GraphQLError[];
}

/** The document's id: the codegen client preset keeps only the SHA-256 of its text. */
function documentIdOf(document: TypedDocumentNode<unknown, unknown>): string {
  const hash = (document as { __meta__?: { hash?: string } }).__meta__?.hash;
  if (!hash) throw new Error('Not a persisted document.');
  return hash.replace(/^sha256:/, '');
}

function bodyOf(document: TypedDocumentNode<unknown, unknown>, variables: unknown): string {
  return JSON.stringify({
    variables,
    extensions: { persistedQuery: { version: 1, sha256Hash: documentIdOf(document) } },
  });
}

function headers(accept: string): Record<string, string> {
  const token = storedToken();
  return {
    'content-type': 'application/json',
    accept,
    'apollographql-client-name': CLIENT_NAME,
    'apollographql-client-version': CLIENT_VERSION,
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
}

function failure(errors: GraphQLError[]): GraphQLRequestError {
  const [first] = errors;
  // An expired sign-in or a revoked key: every screen's request ends the session the same way.
  if (first?.extensions?.code === 'UNAUTHENTICATED' && storedToken()) credentialRefused();
  return new GraphQLRequestError(
    first?.message ?? 'Request failed.',
    first?.extensions?.code ?? 'ERROR',
  );
}

/** Runs a query or mutation by its id; throws GraphQLRequestError on any error. */
export async function request<D, V>(
  document: TypedDocumentNode<D, V>,
  variables: V,
  signal?: AbortSignal,
): Promise<D> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: headers('application/graphql-response+json, application/json'),
    body: bodyOf(document as TypedDocumentNode<unknown, unknown>, variables),
    signal,
  });
  const result = (await response.json().catch(() => ({}))) as GraphQLResult<D>;
  if (result.errors?.length) throw failure(result.errors);
  if (!result.data) throw new GraphQLRequestError(`HTTP ${response.status}`, 'ERROR');
  return result.data;
}

/**
 * Runs a subscription by its id over Server-Sent Events (the graphql-sse protocol's distinct
 * connections mode, which the gateway serves at /graphql): `onNext` gets each event's data until
 * the stream completes. Aborting `signal` closes the stream, which stops the upstream call.
 */
export async function subscribe<D, V>(
  document: TypedDocumentNode<D, V>,
  variables: V,
  onNext: (data: D) => void,
  signal?: AbortSignal,
): Promise<void> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: headers('text/event-stream'),
    body: bodyOf(document as TypedDocumentNode<unknown, unknown>, variables),
    signal,
  });
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('text/event-stream') || !response.body) {
    const result = (await response.json().catch(() => ({}))) as GraphQLResult<D>;
    throw failure(result.errors ?? [{ message: `HTTP ${response.status}` }]);
  }
  for await (const event of serverSentEvents(response.body)) {
    if (event.name === 'complete') return;
    if (event.name !== 'next') continue;
    const result = JSON.parse(event.data) as GraphQLResult<D>;
    if (result.errors?.length) throw failure(result.errors);
    if (result.data) onNext(result.data);
  }
}

/** The events of a text/event-stream body (only `event:` and `data:` lines matter here). */
async function* serverSentEvents(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) name = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      yield { name, data: data.join('\n') };
    }
  }
}
