import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '../../lib/errors.js';

/** A formatted GraphQL error with its code. */
export const codedFormattedError = (code: string, message: string): GraphQLFormattedError => ({
  message,
  extensions: { code },
});

/**
 * A subscription refused before its stream opened: nothing was sent to the client yet, so it is
 * answered with `status` and a `{ errors }` body (parse and validation failures, a subgraph that
 * refused the operation or could not be reached).
 */
export class SubscriptionRefusedError extends Error {
  constructor(
    readonly status: number,
    readonly errors: readonly GraphQLFormattedError[],
  ) {
    super(errors[0]?.message ?? 'The subscription was refused.');
  }

  /** The code of the first error (what a client branches on). */
  get code(): string {
    return String(this.errors[0]?.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR);
  }
}

/** The operation is a query or mutation: the /graphql route hands it to Apollo instead. */
export class NotASubscriptionError extends SubscriptionRefusedError {
  constructor() {
    super(400, [codedFormattedError(ErrorCode.BAD_REQUEST, 'Only subscriptions are streamed.')]);
  }
}

export const refused = (status: number, code: string, message: string) =>
  new SubscriptionRefusedError(status, [codedFormattedError(code, message)]);

/**
 * An open stream that ended without its subgraph completing it: the gateway is shutting down
 * (SERVICE_UNAVAILABLE), or the subgraph's connection broke off. Transports send it as their
 * protocol's terminal error.
 */
export class StreamBrokenError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  get errors(): GraphQLFormattedError[] {
    return [codedFormattedError(this.code, this.message)];
  }
}

export const SHUTTING_DOWN_MESSAGE = 'The gateway is shutting down; subscribe again.';
