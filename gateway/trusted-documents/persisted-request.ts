/** What the trusted-document check reads from a GraphQL request, POST body or GET query string. */
export interface PersistedRequest {
  /** The full query text, when sent. */
  query: string | undefined;
  /** `extensions.persistedQuery.sha256Hash`, when sent. */
  id: string | undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function extensionsOf(method: string, url: URL, body: unknown): unknown {
  if (method !== 'GET') return isRecord(body) ? body.extensions : undefined;
  const raw = url.searchParams.get('extensions');
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined; // Apollo answers a malformed parameter itself
  }
}

/** The query and persisted-query id of a request; anything malformed is left for Apollo. */
export function persistedRequestOf(method: string, url: URL, body: unknown): PersistedRequest {
  const query = method === 'GET' ? url.searchParams.get('query') : isRecord(body) && body.query;
  const extensions = extensionsOf(method, url, body);
  const persisted = isRecord(extensions) ? extensions.persistedQuery : undefined;
  const id = isRecord(persisted) ? persisted.sha256Hash : undefined;
  return {
    query: typeof query === 'string' && query !== '' ? query : undefined,
    id: typeof id === 'string' ? id : undefined,
  };
}

/**
 * The request with the registered document's text in place of its id: Apollo (and the gateway's
 * own subscription path) then run it as any full query, and Apollo's APQ cache is not involved.
 */
export function withDocument(
  method: string,
  url: URL,
  body: unknown,
  document: string,
): { url: URL; body: unknown } {
  const { persistedQuery: _id, ...otherExtensions } = extensionsOf(method, url, body) as Record<
    string,
    unknown
  >;
  if (method === 'GET') {
    const next = new URL(url);
    next.searchParams.set('query', document);
    next.searchParams.set('extensions', JSON.stringify(otherExtensions));
    return { url: next, body };
  }
  return { url, body: { ...(body as object), query: document, extensions: otherExtensions } };
}
