import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/**
 * Stable `extensions.code` values clients branch on. Adding one is a contract change: record it in
 * docs/decisions.md.
 */
export const ErrorCode = {
  BAD_REQUEST: 'BAD_REQUEST',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  INSUFFICIENT_FUNDS: 'INSUFFICIENT_FUNDS',
  BUDGET_EXCEEDED: 'BUDGET_EXCEEDED',
  /**
   * The team's wallet is suspended (a payment of its credits is disputed, or an operator said
   * so): new calls are refused; `reason` says why when one was given. A refusal like FORBIDDEN.
   */
  WALLET_SUSPENDED: 'WALLET_SUSPENDED',
  /** Auto-recharge cannot be turned on before a payment method is saved (decision 71). */
  PAYMENT_METHOD_REQUIRED: 'PAYMENT_METHOD_REQUIRED',
  HOLD_EXPIRED: 'HOLD_EXPIRED',
  HOLD_ALREADY_RESOLVED: 'HOLD_ALREADY_RESOLVED',
  CAPTURE_EXCEEDS_HOLD: 'CAPTURE_EXCEEDS_HOLD',
  REFUND_EXCEEDS_CAPTURE: 'REFUND_EXCEEDS_CAPTURE',
  IDEMPOTENCY_CONFLICT: 'IDEMPOTENCY_CONFLICT',
  /** Policy does not let the team use the model (or any target of the route) for this data. */
  MODEL_NOT_ALLOWED: 'MODEL_NOT_ALLOWED',
  /** Every provider attempt failed; `attempts` says how. Nothing was charged. */
  PROVIDER_ERROR: 'PROVIDER_ERROR',
  /**
   * A stream's provider broke off, failed or went silent after the first token (the code of its
   * GenerationFailed event); what was delivered was charged.
   */
  PROVIDER_STREAM_INTERRUPTED: 'PROVIDER_STREAM_INTERRUPTED',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** The payment provider could not be reached or failed; nothing was charged. Retry later. */
  PAYMENT_PROVIDER_UNAVAILABLE: 'PAYMENT_PROVIDER_UNAVAILABLE',
  /** A flow run was cancelled (decision 100): the steps before were charged, nothing after. */
  RUN_CANCELLED: 'RUN_CANCELLED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export function codedError(
  code: ErrorCode,
  message: string,
  details: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, { extensions: { ...details, code } });
}

/**
 * Sets the HTTP status Apollo Server answers with when it refuses a request with `error` before
 * execution (from a plugin's didResolveOperation, say); without one it answers 500.
 */
export function withHttpStatus(error: GraphQLError, status: number): GraphQLError {
  (error.extensions as Record<string, unknown>).http = { status };
  return error;
}

/** The 4xx status Apollo Server gave a request-level error, if any (`extensions.http.status`). */
function clientStatusOf(error: unknown): number | undefined {
  if (!(error instanceof GraphQLError)) return undefined;
  const status = (error.extensions?.http as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

export const badUserInput = (message: string, details?: Record<string, unknown>) =>
  codedError(ErrorCode.BAD_USER_INPUT, message, details);
export const unauthenticated = (message = 'Authentication required.') =>
  codedError(ErrorCode.UNAUTHENTICATED, message);
export const forbidden = (message = 'You are not allowed to do this.') =>
  codedError(ErrorCode.FORBIDDEN, message);
/**
 * NOT_FOUND for `what` `id`; with `suggestions` (names the caller may have meant), the message ends
 * "Did you mean a or b?" and `extensions.suggestions` lists them.
 */
export const notFound = (what: string, id: string, suggestions: readonly string[] = []) =>
  codedError(
    ErrorCode.NOT_FOUND,
    `${what} "${id}" does not exist.${didYouMean(suggestions)}`,
    suggestions.length ? { id, suggestions: [...suggestions] } : { id },
  );

/** " Did you mean a, b or c?" for a message's end; empty without suggestions. */
export function didYouMean(suggestions: readonly string[]): string {
  if (suggestions.length === 0) return '';
  const last = suggestions[suggestions.length - 1];
  const rest = suggestions.slice(0, -1);
  return ` Did you mean ${rest.length ? `${rest.join(', ')} or ${last}` : last}?`;
}
export const conflict = (message: string, details?: Record<string, unknown>) =>
  codedError(ErrorCode.CONFLICT, message, details);

/** Codes whose messages are safe to show as they are; anything else is masked in production. */
const PUBLIC_CODES = new Set<string>([
  ...Object.values(ErrorCode).filter((c) => c !== ErrorCode.INTERNAL_SERVER_ERROR),
  // Apollo Server's own request-level codes.
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
]);

/** Whether errors with this code are expected outcomes (shown as they are, not logged as faults). */
export function isPublicCode(code: string): boolean {
  return PUBLIC_CODES.has(code);
}

/** What a client sees when a subgraph's database cannot be reached; the original is logged. */
export const DATABASE_UNAVAILABLE_MESSAGE = 'The database is unavailable right now; try again.';

export interface ErrorFormatterOptions {
  production: boolean;
  /**
   * Says whether an uncoded error means a store could not be reached (a subgraph passes
   * `isDatabaseUnreachable`); such errors leave as SERVICE_UNAVAILABLE with retryAfterSeconds,
   * never with the driver's message. @default none: every uncoded error is INTERNAL_SERVER_ERROR
   */
  isStoreUnavailable?: (error: unknown) => boolean;
}

/**
 * Apollo `formatError`: every error leaves with an `extensions.code`. Only an error we did not raise
 * on purpose (a fault) carries its stack, and only outside production; in production such errors
 * also lose their message (they are logged in full by the caller, see
 * createObservabilityPlugin, which sees them before they are formatted).
 */
export function createErrorFormatter(options: ErrorFormatterOptions) {
  return (formatted: GraphQLFormattedError, error?: unknown): GraphQLFormattedError => {
    const code = String(formatted.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR);
    if (PUBLIC_CODES.has(code)) {
      // An expected outcome (bad input, no access, no funds...) is no fault of ours: its stack
      // would only bury the message, in development too.
      const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions: { ...extensions, code } };
    }
    if (clientStatusOf(error)) {
      // Apollo Server's own uncoded request refusals (an APQ hash that does not match its query)
      // are the client's fault: BAD_REQUEST with their message, not a masked fault.
      return {
        message: formatted.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: ErrorCode.BAD_REQUEST },
      };
    }
    if (options.isStoreUnavailable?.(error)) {
      return {
        message: DATABASE_UNAVAILABLE_MESSAGE,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, retryAfterSeconds: 1 },
      };
    }
    if (!options.production) {
      return {
        ...formatted,
        extensions: { ...formatted.extensions, code: ErrorCode.INTERNAL_SERVER_ERROR },
      };
    }
    return {
      message: 'Internal server error.',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
