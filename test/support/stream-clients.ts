import { ApolloClient, HttpLink, InMemoryCache, gql, type ApolloLink } from '@apollo/client';
import { createClient } from 'graphql-sse';

/** One thing a subscription client handed its caller: a result, or the error it ended with. */
export interface StreamOutcome {
  data?: unknown;
  /** GraphQL errors of a result, as the client exposes them (code and message). */
  errors?: Array<{ message: string; code?: string }>;
  /** The client ended the subscription with this error (network, protocol). */
  thrown?: { message: string; codes: string[] };
}

/** What a subscription delivered so far, and a promise that settles when it ends. */
export interface StreamRecording {
  outcomes: StreamOutcome[];
  ended: Promise<void>;
  /** Leaves, as a client that closes the screen does. */
  stop(): void;
}

const codesOf = (errors: unknown): Array<{ message: string; code?: string }> =>
  (Array.isArray(errors) ? errors : []).map(
    (e: { message: string; extensions?: { code?: string } }) => ({
      message: e.message,
      code: e.extensions?.code,
    }),
  );

const thrownOf = (error: unknown): StreamOutcome['thrown'] => {
  const nested = (error as { errors?: unknown[] }).errors ?? [];
  return {
    message: (error as Error).message ?? String(error),
    codes: codesOf(nested)
      .map((e) => e.code)
      .filter((c): c is string => c !== undefined),
  };
};

/**
 * Node's fetch, except that a body read that fails because the caller aborted ends the body
 * instead. Apollo Client 4 cancels its reader after an abort without handling the rejection
 * (`reader.cancel()` in a `finally`), which is harmless in a browser but an unhandled rejection
 * in Node, and jest fails the test that caused it.
 */
const fetchQuietOnAbort: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  if (!response.body) return response;
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        if (init?.signal?.aborted) controller.close();
        else controller.error(error);
      }
    },
    cancel: (reason) => reader.cancel(reason).catch(() => undefined),
  });
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
};

/**
 * Subscribes with Apollo Client 4 over HttpLink, which speaks Apollo's multipart subscription
 * protocol over fetch in Node. `app` adds what an app's client has: links before HttpLink (the
 * persisted-queries link, say) and client awareness.
 */
export function subscribeWithApollo(
  url: string,
  token: string | undefined,
  query: string,
  variables: Record<string, unknown>,
  app: { link?: ApolloLink; clientAwareness?: { name: string; version: string } } = {},
): StreamRecording {
  const http = new HttpLink({
    uri: url,
    fetch: fetchQuietOnAbort,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const client = new ApolloClient({
    link: app.link ? app.link.concat(http) : http,
    clientAwareness: app.clientAwareness,
    cache: new InMemoryCache({
      possibleTypes: {
        GenerationEvent: ['GenerationDelta', 'GenerationCompleted', 'GenerationFailed'],
      },
    }),
  });
  const outcomes: StreamOutcome[] = [];
  let finish!: () => void;
  const ended = new Promise<void>((resolve) => (finish = resolve));
  const subscription = client
    .subscribe({ query: gql(query), variables, fetchPolicy: 'no-cache' })
    .subscribe({
      next(result) {
        const error = (result as { error?: unknown }).error;
        if (error) {
          const errors = (error as { errors?: unknown[] }).errors;
          outcomes.push(
            errors ? { data: result.data, errors: codesOf(errors) } : { thrown: thrownOf(error) },
          );
        } else {
          outcomes.push({ data: result.data });
        }
      },
      error(error) {
        outcomes.push({ thrown: thrownOf(error) });
        finish();
      },
      complete: () => finish(),
    });
  return {
    outcomes,
    ended,
    stop() {
      subscription.unsubscribe();
      finish();
    },
  };
}

/** Subscribes with the graphql-sse client (distinct connections mode), retrying nothing. */
export function subscribeWithSse(
  url: string,
  token: string | undefined,
  query: string,
  variables: Record<string, unknown>,
): StreamRecording {
  const client = createClient({
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
  });
  const outcomes: StreamOutcome[] = [];
  let finish!: () => void;
  const ended = new Promise<void>((resolve) => (finish = resolve));
  const unsubscribe = client.subscribe(
    { query, variables },
    {
      next(result) {
        outcomes.push(
          result.errors
            ? { data: result.data, errors: codesOf(result.errors) }
            : { data: result.data },
        );
      },
      error(error) {
        outcomes.push({ thrown: thrownOf(error) });
        finish();
      },
      complete: () => finish(),
    },
  );
  return {
    outcomes,
    ended: ended.finally(() => client.dispose()),
    stop() {
      unsubscribe();
      finish();
    },
  };
}

export type Subscribe = typeof subscribeWithApollo;
