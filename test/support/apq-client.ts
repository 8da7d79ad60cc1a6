import { createHash } from 'node:crypto';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';

/** One HTTP request Apollo Client sent: its method, and whether it carried the document. */
export interface SentRequest {
  method: string;
  /** The document's text was sent (a registration), not only its hash. */
  withDocument: boolean;
  hash: string | undefined;
}

/** What a request sent, from its body (POST) or its query string (GET). */
function whatWasSent(input: string | URL | Request, init?: RequestInit): SentRequest {
  const method = init?.method ?? 'GET';
  let params: { query?: unknown; extensions?: unknown };
  if (method === 'GET') {
    const search = new URL(String(input)).searchParams;
    const extensions = search.get('extensions');
    params = { query: search.get('query'), extensions: extensions && JSON.parse(extensions) };
  } else {
    params = JSON.parse(String(init?.body)) as typeof params;
  }
  const hash = (params.extensions as { persistedQuery?: { sha256Hash?: string } } | null)
    ?.persistedQuery?.sha256Hash;
  return { method, withDocument: typeof params.query === 'string', hash };
}

/**
 * Apollo Client 4 with its automatic persisted-queries link, as an app uses it, recording every
 * request it sends. A fresh client knows no hash the server has seen: it sends the hash alone
 * first, and the document only after PERSISTED_QUERY_NOT_FOUND.
 */
export function persistedQueryClient(
  url: string,
  token: string,
  options: { useGETForHashedQueries?: boolean } = {},
) {
  const sent: SentRequest[] = [];
  const recordingFetch: typeof fetch = (input, init) => {
    sent.push(whatWasSent(input as string, init));
    return fetch(input, init);
  };
  const client = new ApolloClient({
    link: new PersistedQueryLink({
      sha256: (text) => createHash('sha256').update(text).digest('hex'),
      useGETForHashedQueries: options.useGETForHashedQueries,
    }).concat(
      new HttpLink({
        uri: url,
        fetch: recordingFetch,
        headers: { authorization: `Bearer ${token}` },
      }),
    ),
    cache: new InMemoryCache(),
  });
  return {
    sent,
    /** Runs `query` over the network (never from the client's cache) and returns its data. */
    async query<D>(query: string, variables?: Record<string, unknown>): Promise<D> {
      const result = await client.query<D>({
        query: gql(query),
        variables,
        fetchPolicy: 'network-only',
      });
      return result.data as D;
    },
    stop: () => client.stop(),
  };
}
