import type { ServerResponse } from 'node:http';
import {
  getOperationAST,
  GraphQLError,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { isPublicCode } from '../errors.js';
import type { RouteContext } from '../http/http-server.js';
import { BodyTooLargeError, readBody, sendJson } from '../http/responses.js';
import { DEFAULT_BODY_LIMIT } from '../http/graphql-handler.js';
import { createDocumentCache, type CheckedDocument } from '../graphql/document-cache.js';
import { leanSubscribe } from '../graphql/lean-subscribe.js';
import {
  createCacheLookups,
  createOperationLabeler,
  STREAM_ROUTE_LABEL,
  type ServiceMetrics,
} from '../metrics.js';

/** @default 12_000: under the idle timeouts of common proxies (nginx 60 s, AWS ALB 60 s) */
export const DEFAULT_HEARTBEAT_MS = 12_000;

export type ErrorFormatter = (
  formatted: GraphQLFormattedError,
  error?: unknown,
) => GraphQLFormattedError;

export interface SubscriptionTransportOptions {
  /** The shield-wrapped subgraph schema queries run on. */
  schema: GraphQLSchema;
  formatError: ErrorFormatter;
  /** A comment line is sent after this long without another write. @default DEFAULT_HEARTBEAT_MS */
  heartbeatMs?: number;
  /**
   * Where each subscription is timed as an operation (`operationDuration`): from its request to
   * its stream's start or refusal, as a query is timed to its answer. @default not timed
   */
  metrics?: ServiceMetrics;
}

/** A stream the transport is serving: ends when the client leaves or the iterator finishes. */
interface OpenStream {
  finished: Promise<void>;
  /** Stops it now: the iterator's `return()` is called and the response ends. */
  close(): void;
  /** Stops it for a shutdown: as `close`, after a terminal SERVICE_UNAVAILABLE event. */
  stop(): void;
}

/** The terminal event of a stream its service stopped (a drain): the client subscribes again. */
export const SHUTDOWN_RESULT: ExecutionResult = {
  errors: [
    new GraphQLError('The service is shutting down; subscribe again.', {
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    }),
  ],
};

/**
 * GraphQL subscriptions over Server-Sent Events, graphql-sse's "distinct connections" format: one
 * POST per subscription, answered `event: next` per result and `event: complete` at the end, with a
 * `:` comment as heartbeat while nothing else is sent. The subscription runs with
 * `leanSubscribe` (graphql-js `subscribe` without its per-event cost) on the same schema (shield
 * included) and context as queries, validated documents kept per query text. A client that closes
 * the connection ends the stream: the result iterator's `return()` is called at once. A slow
 * reader holds the stream back: the next event is pulled only after the response drains.
 */
export function createSubscriptionTransport(options: SubscriptionTransportOptions) {
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const open = new Set<OpenStream>();
  // Streams of one app send the same document again and again: it is parsed and validated once.
  const checkDocument = createDocumentCache({
    lookups: options.metrics && createCacheLookups(options.metrics.registry),
  });
  const label = createOperationLabeler();
  /** Times the subscription's start once: ok when its stream started, error when refused. */
  const timeStart = (operationName: string | undefined) => {
    const started = process.hrtime.bigint();
    let timed = false;
    return (outcome: 'ok' | 'error') => {
      if (timed || !options.metrics) return;
      timed = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      options.metrics.operationDuration.observe(
        { operation: label(operationName), outcome },
        seconds,
      );
    };
  };

  const formatted = (result: ExecutionResult) =>
    result.errors
      ? {
          ...result,
          errors: result.errors.map((e) => options.formatError(e.toJSON(), e)),
        }
      : result;

  return {
    /** How many streams are open now. */
    get openStreams() {
      return open.size;
    },

    /** Answers one `accept: text/event-stream` POST to /graphql (the token is checked already). */
    async handle(
      route: RouteContext,
      contextValue: (clientGone: AbortSignal) => Promise<unknown>,
    ): Promise<void> {
      const request = await readRequest(route, options.schema, checkDocument);
      if (!request) return;
      const { res, logger } = route;
      const timeStarted = timeStart(request.name);
      route.timeAs(STREAM_ROUTE_LABEL);
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.flushHeaders();
      // Nothing is written once the client has gone: a write to a destroyed socket is an error.
      const write = (text: string) => {
        if (!res.destroyed && !res.writableEnded) res.write(text);
      };
      const heartbeat = setInterval(() => write(':\n\n'), heartbeatMs);
      const send = (result: ExecutionResult) => {
        for (const error of result.errors ?? []) {
          const code = String(error.extensions?.code ?? '');
          if (!isPublicCode(code)) {
            logger.error({ err: error.originalError ?? error, path: error.path }, 'stream error');
          }
        }
        write(`event: next\ndata: ${JSON.stringify(formatted(result))}\n\n`);
        heartbeat.refresh();
      };

      let iterator: AsyncIterator<ExecutionResult> | undefined;
      let closed = false;
      let stopped = false;
      // Lets a subscription that is still being set up stop its work when the client leaves.
      const clientGone = new AbortController();
      let done!: () => void;
      const stream: OpenStream = {
        finished: new Promise<void>((resolve) => (done = resolve)),
        close: () => {
          if (closed) return;
          closed = true;
          clientGone.abort();
          void iterator?.return?.().catch(() => undefined);
        },
        stop: () => {
          if (closed) return;
          stopped = true;
          stream.close();
        },
      };
      open.add(stream);
      res.on('close', stream.close);
      try {
        const result = await leanSubscribe({
          schema: options.schema,
          document: request.document,
          contextValue: await contextValue(clientGone.signal),
          variableValues: request.variables,
          operationName: request.operationName,
        });
        timeStarted(Symbol.asyncIterator in result ? 'ok' : 'error');
        if (Symbol.asyncIterator in result) {
          iterator = result[Symbol.asyncIterator]();
          // The client left while the subscription was being set up.
          if (closed) await iterator.return?.();
          while (!closed) {
            const next = await iterator.next();
            if (next.done || closed) break;
            send(next.value);
            // A slow reader: the next event is pulled only once this one is on its way.
            if (res.writableNeedDrain) await drained(res);
          }
        } else {
          send(result);
        }
      } catch (error) {
        timeStarted('error');
        send({ errors: [asGraphQLError(error)] });
      } finally {
        clearInterval(heartbeat);
        open.delete(stream);
        if (stopped) send(SHUTDOWN_RESULT);
        if (!res.destroyed && !res.writableEnded) res.end('event: complete\ndata:\n\n');
        done();
      }
    },

    /**
     * Waits up to `graceMs` for open streams to end by themselves (a subgraph ends its own first,
     * with a terminal event), then stops the rest with a terminal SERVICE_UNAVAILABLE event.
     */
    async drain(graceMs: number): Promise<void> {
      if (open.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([Promise.all([...open].map((s) => s.finished)), grace]);
      clearTimeout(timer);
      for (const stream of open) stream.stop();
      await Promise.all([...open].map((s) => s.finished));
    },
  };
}

export type SubscriptionTransport = ReturnType<typeof createSubscriptionTransport>;

interface SubscriptionRequest {
  document: DocumentNode;
  variables: Record<string, unknown> | undefined;
  operationName: string | undefined;
  /** The operation's own name (what metrics label it by). */
  name: string | undefined;
}

/** Reads, parses and validates the request; answers 400 (and returns undefined) when it is bad. */
async function readRequest(
  { req, res }: RouteContext,
  schema: GraphQLSchema,
  checkDocument: (schema: GraphQLSchema, query: string) => CheckedDocument,
): Promise<SubscriptionRequest | undefined> {
  let body: { query?: unknown; variables?: unknown; operationName?: unknown };
  try {
    body = JSON.parse((await readBody(req, DEFAULT_BODY_LIMIT)).toString('utf8')) ?? {};
  } catch (error) {
    const tooLarge = error instanceof BodyTooLargeError;
    return refuse(res, tooLarge ? 413 : 400, 'BAD_REQUEST', [
      tooLarge
        ? `Request body exceeds ${DEFAULT_BODY_LIMIT} bytes.`
        : 'The request body is not valid JSON.',
    ]);
  }
  if (typeof body.query !== 'string') {
    return refuse(res, 400, 'BAD_REQUEST', ['The request has no query.']);
  }
  const checked = checkDocument(schema, body.query);
  if (checked.parseError) {
    return refuse(res, 400, 'GRAPHQL_PARSE_FAILED', [checked.parseError.message]);
  }
  if (checked.validationErrors) {
    return refuse(
      res,
      400,
      'GRAPHQL_VALIDATION_FAILED',
      checked.validationErrors.map((e) => e.message),
    );
  }
  const { document } = checked;
  const operationName = typeof body.operationName === 'string' ? body.operationName : undefined;
  const operation = getOperationAST(document, operationName);
  if (!operation) {
    return refuse(res, 400, 'BAD_REQUEST', ['Name the operation to run (operationName).']);
  }
  if (operation.operation !== 'subscription') {
    return refuse(res, 400, 'BAD_REQUEST', [
      `Only subscriptions are served as an event stream, not a ${operation.operation}.`,
    ]);
  }
  const variables =
    body.variables && typeof body.variables === 'object'
      ? (body.variables as Record<string, unknown>)
      : undefined;
  return { document, variables, operationName, name: operation.name?.value };
}

function refuse(res: ServerResponse, status: number, code: string, messages: string[]): undefined {
  sendJson(res, status, { errors: messages.map((message) => ({ message, extensions: { code } })) });
  return undefined;
}

/** Resolves when `res` takes writes again ('drain') or has closed (the client left). */
function drained(res: ServerResponse): Promise<void> {
  if (res.destroyed || res.writableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function asGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  return new GraphQLError((error as Error)?.message ?? String(error), {
    originalError: error instanceof Error ? error : undefined,
  });
}
