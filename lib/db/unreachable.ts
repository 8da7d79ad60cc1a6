/**
 * SQLSTATEs that mean "the server cannot serve this session now", not "this statement is wrong":
 * class 08 (connection exceptions), admin and crash shutdown, cannot connect now (starting up or
 * shutting down), and too many connections.
 */
const UNAVAILABLE_SQLSTATE = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/;

/** What node's sockets say when a server cannot be reached or drops the connection. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** What the pg driver and pool say, without a code, when a connection breaks or cannot be made. */
const DRIVER_MESSAGES = [
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'Client has encountered a connection error and is not queryable',
  'timeout exceeded when trying to connect',
];

const MAX_DEPTH = 5;

/**
 * Whether `error` (or the error it wraps as a GraphQL `originalError`) says the database could not
 * be reached, rather than that a statement was wrong: such failures are outages to retry, not bugs.
 * Causes (`cause`) are not followed: a service call that failed carries its transport error there,
 * and that is the calling service's outage to name, not the database's.
 */
export function isDatabaseUnreachable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > MAX_DEPTH) return false;
  // Duck-typed, not `instanceof`: errors made by node's own sockets may come from another realm
  // (jest's module sandbox, for one).
  const { code, syscall, message, originalError, thrownValue, errors } = error as {
    code?: unknown;
    syscall?: unknown;
    message?: unknown;
    originalError?: unknown;
    thrownValue?: unknown;
    errors?: unknown;
  };
  if (typeof code === 'string') {
    if (UNAVAILABLE_SQLSTATE.test(code)) return true;
    if (SOCKET_CODES.has(code) && (typeof syscall === 'string' || Array.isArray(errors)))
      return true;
  }
  if (typeof message === 'string' && DRIVER_MESSAGES.includes(message)) return true;
  // Node's AggregateError when every address of the host refused.
  if (Array.isArray(errors) && errors.some((e) => isDatabaseUnreachable(e, depth + 1))) return true;
  // graphql-js wraps what a resolver threw that is not `instanceof Error` (a socket's error from
  // another realm, as under jest) in a NonErrorThrown that keeps it as `thrownValue`.
  if (thrownValue !== undefined && isDatabaseUnreachable(thrownValue, depth + 1)) return true;
  return originalError !== undefined && isDatabaseUnreachable(originalError, depth + 1);
}
