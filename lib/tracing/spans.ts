import {
  context,
  isSpanContextValid,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';

export { SpanKind, SpanStatusCode, type Attributes, type Span };

/**
 * Our spans, made through @opentelemetry/api at the platform's own choke points (decision at the
 * end of docs/decisions.md). Until a tracer provider is registered (lib/tracing/start-tracing.ts,
 * or a test's in-memory one), the API hands out non-recording spans and every helper here costs a
 * few property reads.
 */
const tracer = () => trace.getTracer('modelgraph');

/**
 * Whether the work here is part of a recorded trace (a request's). Statements and commands outside
 * one (a sweeper's tick) make no span, so background work does not start a trace per call.
 */
export const inRecordedSpan = () => trace.getActiveSpan()?.isRecording() === true;

/** Marks `span` failed with `error` (type and message; never a stack in attributes). */
export function failSpan(span: Span, error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error));
  span.recordException(err);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
  const kind =
    (error as { kind?: unknown; code?: unknown }).kind ?? (error as { code?: unknown }).code;
  span.setAttribute('error.type', typeof kind === 'string' ? kind : err.name);
}

/**
 * Runs `fn` inside a new active span that ends when `fn` settles, failed if it throws. Spans start
 * as children of the active one, so a request's work is one trace.
 */
export function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes },
  fn: (span: Span) => Promise<T>,
  parent?: Context,
): Promise<T> {
  return tracer().startActiveSpan(name, options, parent ?? context.active(), async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Starts a span the caller ends (a stream's, which outlives the call that opened it). */
export function startSpan(name: string, options: { kind?: SpanKind; attributes?: Attributes }) {
  return tracer().startSpan(name, options);
}

/** The active context with `span` as its span (to run a stream's work under the stream's span). */
export const contextWith = (span: Span): Context => trace.setSpan(context.active(), span);

/**
 * A server's span for one incoming request, a child of the caller's span when its headers carry
 * a W3C trace context; `context` is what the request's work runs in.
 */
export function startServerSpan(
  name: string,
  headers: Record<string, string | string[] | undefined>,
  attributes: Attributes,
): { span: Span; context: Context } {
  const parent = propagation.extract(context.active(), headers);
  const span = tracer().startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/** Adds the active trace context (W3C `traceparent`, `tracestate`) to an outgoing call's headers. */
export function injectTraceHeaders(headers: Record<string, string>): Record<string, string> {
  propagation.inject(context.active(), headers);
  return headers;
}

/** Runs `fn` with `ctx` as the active context. */
export const withContext = <T>(ctx: Context, fn: () => T): T => context.with(ctx, fn);

/**
 * pino mixin: the active span's trace and span ids on every log line written inside it, so a log
 * line leads to its trace and a trace to its logs.
 */
export function traceLogFields(): { traceId?: string; spanId?: string } {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return { traceId: spanContext.traceId, spanId: spanContext.spanId };
}
