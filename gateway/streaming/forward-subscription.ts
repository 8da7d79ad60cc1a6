import type { ExecutionResult, GraphQLFormattedError } from 'graphql';
import { request, type Dispatcher } from 'undici';
import { INTERNAL_TOKEN_HEADER } from '../../lib/auth/internal-token.js';
import { ErrorCode } from '../../lib/errors.js';
import { parseServerSentEvents } from '../../lib/http/server-sent-events.js';
import { REQUEST_ID_HEADER } from '../../lib/request-id.js';
import { injectTraceHeaders } from '../../lib/tracing/spans.js';
import {
  StreamBrokenError,
  SubscriptionRefusedError,
  codedFormattedError,
  refused,
} from './subscription-errors.js';

/** How long the subgraph may take to accept or refuse the subscription. @default 10_000 */
const ACCEPT_TIMEOUT_MS = 10_000;

export interface ForwardOptions {
  subgraph: string;
  url: string;
  dispatcher: Dispatcher;
  token: string;
  requestId: string;
  body: { query: string; variables?: Record<string, unknown>; operationName?: string };
  /** Aborting it closes the upstream connection at once; its reason decides how the stream ends. */
  signal: AbortSignal;
}

const asErrors = (body: unknown): GraphQLFormattedError[] | undefined => {
  const errors = (body as { errors?: unknown } | null)?.errors;
  return Array.isArray(errors) && errors.length > 0
    ? (errors as GraphQLFormattedError[])
    : undefined;
};

/**
 * The gateway validated against the whole supergraph; the subgraph validates against its own
 * schema. What fails only there selects a field another subgraph resolves (a Model's displayName,
 * say), which a subscription cannot reach: the gateway does not plan entity fetches per event.
 */
function explainRefusal(subgraph: string, status: number, body: unknown): SubscriptionRefusedError {
  const errors = asErrors(body);
  if (status !== 400 || !errors) {
    return refused(
      502,
      ErrorCode.SERVICE_UNAVAILABLE,
      `The ${subgraph} subgraph refused the subscription (HTTP ${status}).`,
    );
  }
  return new SubscriptionRefusedError(
    400,
    errors.map((error) =>
      error.extensions?.code === 'GRAPHQL_VALIDATION_FAILED'
        ? {
            ...error,
            message:
              `Subscriptions are served by the ${subgraph} subgraph alone; fetch other fields ` +
              `with a query. ${error.message}`,
          }
        : error,
    ),
  );
}

async function* relayEvents(
  subgraph: string,
  body: Dispatcher.ResponseData['body'],
  signal: AbortSignal,
): AsyncGenerator<ExecutionResult> {
  try {
    for await (const event of parseServerSentEvents(body)) {
      if (event.event === 'complete') return;
      if (event.event === 'next') yield JSON.parse(event.data) as ExecutionResult;
    }
  } catch (error) {
    if (!signal.aborted) throw error;
  } finally {
    body.destroy();
  }
  if (signal.reason instanceof StreamBrokenError) throw signal.reason;
  // The caller aborted because its client left: nobody is listening, so just end.
  if (signal.aborted) return;
  throw new StreamBrokenError(
    ErrorCode.SERVICE_UNAVAILABLE,
    `The ${subgraph} subgraph's stream broke off; subscribe again.`,
  );
}

/**
 * Opens the subscription on the subgraph that owns it (the internal transport: POST, answered with
 * `text/event-stream`) and resolves once the subgraph has accepted it, so a refusal is still a
 * plain HTTP answer to the client. The events are the subgraph's `next` payloads; a stream that
 * ends without `complete` throws StreamBrokenError.
 */
export async function forwardSubscription(
  options: ForwardOptions,
): Promise<AsyncGenerator<ExecutionResult>> {
  const { subgraph, signal } = options;
  let response: Dispatcher.ResponseData;
  try {
    response = await request(options.url, {
      method: 'POST',
      dispatcher: options.dispatcher,
      signal,
      headersTimeout: ACCEPT_TIMEOUT_MS,
      // The stream may idle between events; the subgraph's heartbeats keep it alive anyway.
      bodyTimeout: 0,
      // The stream continues the trace of the request that opened it.
      headers: injectTraceHeaders({
        accept: 'text/event-stream',
        'content-type': 'application/json',
        [INTERNAL_TOKEN_HEADER]: options.token,
        [REQUEST_ID_HEADER]: options.requestId,
      }),
      body: JSON.stringify(options.body),
    });
  } catch (error) {
    if (signal.reason instanceof StreamBrokenError) {
      throw new SubscriptionRefusedError(503, signal.reason.errors);
    }
    if (signal.aborted) throw error;
    throw new SubscriptionRefusedError(503, [
      codedFormattedError(
        ErrorCode.SERVICE_UNAVAILABLE,
        `The ${subgraph} subgraph cannot be reached; try again.`,
      ),
    ]);
  }
  const type = String(response.headers['content-type'] ?? '');
  if (response.statusCode === 200 && type.startsWith('text/event-stream')) {
    return relayEvents(subgraph, response.body, signal);
  }
  let body: unknown;
  try {
    body = await response.body.json();
  } catch {
    body = undefined;
  }
  throw explainRefusal(subgraph, response.statusCode, body);
}
