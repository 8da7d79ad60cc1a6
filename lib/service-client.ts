import { GraphQLError } from 'graphql';
import { Agent, request, type Dispatcher } from 'undici';
import {
  INTERNAL_TOKEN_HEADER,
  reuseTokens,
  type InternalTokenSigner,
} from './auth/internal-token.js';
import type { Principal } from './auth/principal.js';
import { codedError } from './errors.js';
import type { LocalRoutes } from './http/local-routes.js';
import { retryAfterDelays } from './retry-policy.js';
import { REQUEST_ID_HEADER } from './request-id.js';
import { SpanKind, inSpan, injectTraceHeaders } from './tracing/spans.js';

export interface ServiceClientOptions {
  /** Signs the service's own internal token (issuer: the service). */
  signer: InternalTokenSigner;
  /** The service itself: kind SERVICE, with the service scopes it needs. */
  principal: Principal;
  /** Per call. @default 10_000 */
  timeoutMs?: number;
  /** How long one signed token is reused; tokens live 60 s. @default 30_000 */
  tokenReuseMs?: number;
  now?: () => number;
  /**
   * Where requests go; tests pass one that watches or delays calls.
   * @default a keep-alive Agent of this client's own, closed by `close()`
   */
  dispatcher?: Dispatcher;
  /**
   * Services in this process, called without a socket (lib/http/local-routes.ts).
   * @default none: every call goes over HTTP
   */
  localRoutes?: LocalRoutes;
}

/**
 * A call that failed for reasons of transport, not of the business: the callee is unreachable,
 * answered 5xx or something that is not JSON, or said SERVICE_UNAVAILABLE itself. Worth retrying.
 */
export class ServiceUnavailableError extends Error {}

/**
 * Retries a call that failed for transport reasons (ServiceUnavailableError) after each of
 * `delaysMs`; a business refusal or a 4xx comes back at once. Only for calls that are safe to
 * repeat (idempotent under their key).
 */
export const retryUnavailable = (delaysMs: readonly number[]) =>
  retryAfterDelays({ delaysMs, retryable: (error) => error instanceof ServiceUnavailableError });

/** The callee refused the request itself (4xx): a bug or misconfiguration, not worth retrying. */
export class ServiceRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

interface GraphQLAnswerError {
  message: string;
  extensions?: Record<string, unknown>;
  path?: ReadonlyArray<string | number>;
}

interface GraphQLAnswer<T> {
  data?: T | null;
  errors?: GraphQLAnswerError[];
}

/** The first error message of a GraphQL-shaped body, for logs. */
const firstMessage = (body: unknown) => {
  const errors = (body as GraphQLAnswer<unknown> | null)?.errors;
  return Array.isArray(errors) && typeof errors[0]?.message === 'string'
    ? `: ${errors[0].message}`
    : '';
};

/**
 * How one platform service calls another directly (not through the gateway): JSON over pooled
 * keep-alive connections, with the caller's own internal token (reused for a while, so the callee's
 * verifier cache answers) and the request id of the operation it serves. GraphQL errors come back
 * as GraphQLErrors with the callee's `extensions` (code, figures) intact.
 */
export function createServiceClient(options: ServiceClientOptions) {
  const agent = options.dispatcher ?? new Agent({ keepAliveTimeout: 30_000, connections: 128 });
  const timeoutMs = options.timeoutMs ?? 10_000;
  const currentToken = reuseTokens(options.signer, {
    reuseMs: options.tokenReuseMs ?? 30_000,
    maxEntries: 1,
    now: options.now,
  }).forPrincipal(options.principal);
  // Tokens of callers this service acts for (a flow run's creator): one per caller, reused a while.
  const delegatedTokens = reuseTokens(options.signer, {
    reuseMs: options.tokenReuseMs ?? 30_000,
    maxEntries: 1_000,
    now: options.now,
  });
  const tokenFor = (requestId: string, actFor: Principal | undefined) =>
    actFor
      ? delegatedTokens.sign(actFor, requestId, options.principal.id)
      : currentToken(requestId);

  /** Over HTTP: the status and the body's text, or ServiceUnavailableError. */
  async function exchangeOverHttp(url: string, headers: Record<string, string>, body: string) {
    let response;
    try {
      response = await request(url, {
        method: 'POST',
        dispatcher: agent,
        headers,
        body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
    } catch (error) {
      throw new ServiceUnavailableError(`${url} unreachable: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const status = response.statusCode;
    const text = await response.body.text().catch((error: unknown) => {
      throw new ServiceUnavailableError(`${url} answered ${status}, then broke off`, {
        cause: error,
      });
    });
    return { status, text };
  }

  /**
   * In process when the callee runs here (undefined otherwise), with the same timeout: a callee
   * that does not answer in time is left as over HTTP.
   */
  function exchangeLocally(url: string, headers: Record<string, string>, body: string) {
    const timeout = new AbortController();
    const answer = options.localRoutes?.call(
      url,
      { method: 'POST', headers, body },
      timeout.signal,
    );
    if (!answer) return undefined;
    const timer = setTimeout(
      () => timeout.abort(new Error(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    return answer
      .then(
        ({ status, body: text }) => ({ status, text }),
        (error: unknown) => {
          throw new ServiceUnavailableError(`${url} unreachable: ${(error as Error).message}`, {
            cause: error,
          });
        },
      )
      .finally(() => clearTimeout(timer));
  }

  /**
   * One request in a client span whose context the callee continues; the status and the parsed
   * JSON body, or ServiceUnavailableError.
   */
  function send(url: string, body: unknown, requestId: string, actFor?: Principal) {
    const target = new URL(url);
    return inSpan(
      `POST ${target.pathname}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': 'POST',
          'server.address': target.hostname,
          'url.full': url,
        },
      },
      async (span) => {
        const answer = await exchange(url, body, requestId, actFor);
        span.setAttribute('http.response.status_code', answer.status);
        return answer;
      },
    );
  }

  async function exchange(url: string, body: unknown, requestId: string, actFor?: Principal) {
    const headers = injectTraceHeaders({
      'content-type': 'application/json',
      [INTERNAL_TOKEN_HEADER]: await tokenFor(requestId, actFor),
      [REQUEST_ID_HEADER]: requestId,
    });
    const payload = JSON.stringify(body);
    const { status, text } = await (exchangeLocally(url, headers, payload) ??
      exchangeOverHttp(url, headers, payload));
    const ok = status >= 200 && status < 300;
    const refused = status >= 400 && status < 500;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      if (refused) throw new ServiceRequestError(`${url} answered ${status} without JSON`, status);
      throw new ServiceUnavailableError(`${url} answered ${status} without JSON`);
    }
    if (!ok && !refused) {
      throw new ServiceUnavailableError(`${url} answered ${status}${firstMessage(json)}`);
    }
    return { status, json };
  }

  /** Calls an internal JSON route: only a 2xx answer is data; anything else throws. */
  async function post<T>(url: string, body: unknown, requestId: string): Promise<T> {
    const { status, json } = await send(url, body, requestId);
    if (status >= 400) {
      throw new ServiceRequestError(`${url} answered ${status}${firstMessage(json)}`, status);
    }
    return json as T;
  }

  return {
    post,

    /**
     * Runs an operation; the first error is rethrown with the callee's extensions. With `actFor`,
     * as that caller on a delegated token (only a delegating service's is accepted: orchestration
     * running a flow step), so the callee polices and charges the caller, not the service.
     */
    async graphql<T>(
      url: string,
      query: string,
      variables: Record<string, unknown>,
      requestId: string,
      call: { actFor?: Principal } = {},
    ): Promise<T> {
      const { status, json } = await send(url, { query, variables }, requestId, call.actFor);
      const result = (json ?? {}) as GraphQLAnswer<T>;
      const [first] = Array.isArray(result.errors) ? result.errors : [];
      if (first) throw calleeError(url, first);
      if (status >= 400) throw new ServiceRequestError(`${url} answered ${status}`, status);
      if (!result.data) throw new ServiceUnavailableError(`${url} answered no data`);
      return result.data;
    },

    /**
     * Runs an operation whose list answers may fail one by one: the data, and the refusals as
     * GraphQLErrors with their paths. The callee's own faults and a missing answer still throw.
     */
    async graphqlPartial<T>(
      url: string,
      query: string,
      variables: Record<string, unknown>,
      requestId: string,
    ): Promise<{ data: T; errors: GraphQLError[] }> {
      const { status, json } = await send(url, { query, variables }, requestId);
      const result = (json ?? {}) as GraphQLAnswer<T>;
      const errors = (Array.isArray(result.errors) ? result.errors : []).map((e) =>
        calleeError(url, e),
      );
      const fault = errors.find((e) => !(e instanceof GraphQLError));
      if (fault) throw fault;
      if (!result.data) {
        throw (
          errors[0] ?? new ServiceRequestError(`${url} answered ${status} without data`, status)
        );
      }
      return { data: result.data, errors: errors as GraphQLError[] };
    },

    /** Closes the client's own connections (a dispatcher passed in is the caller's to close). */
    close: async () => {
      if (!options.dispatcher) await agent.close();
    },
  };
}

export type ServiceClient = ReturnType<typeof createServiceClient>;

/**
 * A callee's GraphQL error as the caller sees it: a refusal keeps its code and extensions; the
 * callee's own faults and outages are transport failures (retried where retrying is safe, and
 * never shown to a client as they are).
 */
function calleeError(
  url: string,
  error: GraphQLAnswerError,
): GraphQLError | ServiceUnavailableError {
  const { code, stacktrace: _stack, ...rest } = error.extensions ?? {};
  if (
    typeof code === 'string' &&
    code !== 'INTERNAL_SERVER_ERROR' &&
    code !== 'SERVICE_UNAVAILABLE'
  ) {
    return new GraphQLError(error.message, { extensions: { ...rest, code }, path: error.path });
  }
  return new ServiceUnavailableError(`${url}: ${error.message}`);
}

/** The error a client sees when a platform service it needs is unreachable. */
export function unavailable(what: string) {
  return codedError('SERVICE_UNAVAILABLE', `${what} is unavailable right now; try again.`, {
    retryAfterSeconds: 1,
  });
}
