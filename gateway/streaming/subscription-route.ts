import type { ServerResponse } from 'node:http';
import type { Principal } from '../../lib/auth/principal.js';
import type { RouteContext } from '../../lib/http/http-server.js';
import { sendJson } from '../../lib/http/responses.js';
import { STREAM_ROUTE_LABEL } from '../../lib/metrics.js';
import { clientIdentityOf } from '../clients/client-identity.js';
import type { OpenSubscription } from './open-subscription.js';
import { pipeSubscription } from './pipe-subscription.js';
import type { StreamProtocol } from './stream-protocol.js';
import { streamWriter } from './stream-writers.js';
import { NotASubscriptionError, SubscriptionRefusedError } from './subscription-errors.js';

/** Apollo's multipart protocol sends one every 5 s while idle; graphql-sse is fine with that too. */
export const HEARTBEAT_MS = 5_000;

interface GraphQLParams {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The operation's parameters from a POST body or a GET query string, or why they are unusable. */
function graphQLParams(body: unknown, url: URL, method: string): GraphQLParams | string {
  let source: Record<string, unknown>;
  if (method === 'GET') {
    source = Object.fromEntries(url.searchParams);
    if (typeof source.variables === 'string') {
      try {
        source.variables = JSON.parse(source.variables);
      } catch {
        return 'The `variables` parameter is not valid JSON.';
      }
    }
  } else if (isRecord(body)) {
    source = body;
  } else {
    return 'Send a JSON object with `query` (and optionally `variables`, `operationName`).';
  }
  const { query, variables, operationName } = source;
  if (typeof query !== 'string' || query === '') return 'The `query` must be a non-empty string.';
  if (variables != null && !isRecord(variables)) return 'The `variables` must be an object.';
  if (operationName != null && typeof operationName !== 'string') {
    return 'The `operationName` must be a string.';
  }
  return { query, variables, operationName };
}

/**
 * A refusal before the stream opened, as a plain HTTP answer. Apollo Client parses an error status
 * only as `application/graphql-response+json` (GraphQL over HTTP), so it gets that when it accepts
 * it. graphql-sse's client treats any error status as a network failure and retries it; like
 * graphql-sse's own server, validation errors are therefore sent inside an event stream instead.
 */
function sendRefusal(
  res: ServerResponse,
  protocol: StreamProtocol,
  accept: string,
  error: SubscriptionRefusedError,
) {
  if (protocol === 'sse' && error.code === 'GRAPHQL_VALIDATION_FAILED') {
    const writer = streamWriter('sse', res);
    writer.start();
    writer.next({ errors: [...error.errors] });
    writer.end();
    return;
  }
  const type = accept.includes('application/graphql-response+json')
    ? 'application/graphql-response+json; charset=utf-8'
    : 'application/json; charset=utf-8';
  const headers: Record<string, string> = { 'content-type': type };
  if (error.status === 503) headers['retry-after'] = '1';
  sendJson(res, error.status, { errors: error.errors }, headers);
}

export interface SubscriptionRoute {
  /**
   * Serves a streaming request for an authenticated caller, its POST `body` already read. Resolves
   * false when the operation is not a subscription, for Apollo to run; true when answered.
   */
  serve(
    ctx: RouteContext,
    principal: Principal,
    protocol: StreamProtocol,
    body: unknown,
  ): Promise<boolean>;
  /** Resolves once every response this route is streaming has ended, or after `timeoutMs`. */
  drained(timeoutMs: number): Promise<void>;
}

export function createSubscriptionRoute(deps: {
  openSubscription: OpenSubscription;
  /** @default HEARTBEAT_MS */
  heartbeatMs?: number;
}): SubscriptionRoute {
  const streaming = new Set<Promise<void>>();

  return {
    async serve(ctx, principal, protocol, body) {
      const { req, res, url } = ctx;
      const params = graphQLParams(body, url, req.method ?? 'GET');
      if (typeof params === 'string') {
        // Not ours to judge (a persisted query, say): Apollo answers it as it would anyway.
        return false;
      }
      const accept = String(req.headers.accept ?? '');
      const leave = new AbortController();
      const closed = new Promise<void>((resolve) => res.once('close', resolve));
      res.once('close', () => {
        if (!res.writableFinished) leave.abort();
      });
      let events;
      try {
        events = await deps.openSubscription({
          principal,
          requestId: ctx.requestId,
          ...params,
          client: clientIdentityOf(req.headers),
          signal: leave.signal,
        });
      } catch (error) {
        if (error instanceof NotASubscriptionError) return false;
        if (leave.signal.aborted) return true;
        if (error instanceof SubscriptionRefusedError) {
          sendRefusal(res, protocol, accept, error);
          return true;
        }
        throw error;
      }
      streaming.add(closed);
      ctx.timeAs(STREAM_ROUTE_LABEL);
      try {
        await pipeSubscription(events, streamWriter(protocol, res), res, {
          heartbeatMs: deps.heartbeatMs ?? HEARTBEAT_MS,
          logger: ctx.logger,
        });
      } finally {
        // The response's own end (or the client's leaving) removes it, not the pipe's.
        void closed.then(() => streaming.delete(closed));
      }
      return true;
    },
    async drained(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(streaming),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    },
  };
}
