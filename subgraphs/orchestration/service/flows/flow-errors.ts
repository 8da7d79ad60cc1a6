import { GraphQLError } from 'graphql';
import { codedError, ErrorCode } from '../../../../lib/errors.js';

export const RUN_CANCELLED = ErrorCode.RUN_CANCELLED;

/** Codes a step's retry policy tries again; anything else fails the step at once. */
const RETRIABLE: ReadonlySet<string> = new Set([
  ErrorCode.PROVIDER_ERROR,
  ErrorCode.RATE_LIMITED,
  ErrorCode.SERVICE_UNAVAILABLE,
  ErrorCode.CONFLICT,
]);

export const codeOf = (error: unknown): string =>
  error instanceof GraphQLError && typeof error.extensions.code === 'string'
    ? error.extensions.code
    : ErrorCode.INTERNAL_SERVER_ERROR;

export const isRetriable = (error: unknown) => RETRIABLE.has(codeOf(error));

export const cancelled = () =>
  new GraphQLError('The run was cancelled.', { extensions: { code: RUN_CANCELLED } });

/** What a step's paid calls would take beyond what is left of the run's maxCost. */
export const budgetExceeded = (path: string, needed: bigint, left: bigint) =>
  codedError(
    ErrorCode.BUDGET_EXCEEDED,
    `Step ${path} may cost up to ${needed} micros; ${left} of the run's maxCost is left.`,
    { step: path, needed: String(needed), left: String(left) },
  );

/** The error a step ended with, as kept in its record: public code and message only. */
export const describeError = (error: unknown) => ({
  code: codeOf(error),
  message:
    codeOf(error) === ErrorCode.INTERNAL_SERVER_ERROR
      ? 'Internal error.'
      : (error as Error).message,
});
