import type { ServerResponse } from 'node:http';
import type { GraphQLFormattedError } from 'graphql';
import { sendJson } from '../../lib/http/responses.js';
import { AuthenticationError, AuthenticationUnavailableError } from '../auth/errors.js';

/** The `error` object of OpenAI's error JSON. */
export interface OpenAiErrorBody {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

/**
 * A /v1 failure as OpenAI reports it: an HTTP status and `{ error: { message, type, param, code } }`,
 * plus headers (Retry-After; `x-should-retry: false` where the openai SDK would otherwise retry a
 * request that cannot succeed by being sent again).
 */
export class OpenAiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  get body(): OpenAiErrorBody {
    return { message: this.message, type: this.type, param: this.param, code: this.code };
  }
}

export const invalidRequest = (message: string, param: string | null = null, code?: string) =>
  new OpenAiError(400, message, 'invalid_request_error', code ?? null, param);

export const modelNotFound = (model: string) =>
  new OpenAiError(
    404,
    `The model \`${model}\` does not exist or you do not have access to it.`,
    'invalid_request_error',
    'model_not_found',
    'model',
  );

const NO_RETRY = { 'x-should-retry': 'false' };

const retryAfter = (extensions: Record<string, unknown> | undefined): Record<string, string> => {
  const seconds = extensions?.retryAfterSeconds;
  return typeof seconds === 'number' && seconds > 0
    ? { 'retry-after': String(Math.ceil(seconds)) }
    : NO_RETRY;
};

/**
 * Maps a GraphQL error of the public API (its `extensions.code`) to OpenAI's status and error type.
 * Money refusals are 402 `insufficient_quota` (docs/decisions.md explains why not OpenAI's 429).
 */
export function fromGraphQLError(error: GraphQLFormattedError): OpenAiError {
  const extensions = error.extensions as Record<string, unknown> | undefined;
  const code = String(extensions?.code ?? 'INTERNAL_SERVER_ERROR');
  const message = error.message;
  switch (code) {
    case 'BAD_USER_INPUT':
    case 'BAD_REQUEST':
    case 'GRAPHQL_VALIDATION_FAILED':
    case 'GRAPHQL_PARSE_FAILED':
      return invalidRequest(message, null, 'invalid_value');
    case 'UNAUTHENTICATED':
      return new OpenAiError(401, message, 'invalid_request_error', 'invalid_api_key', null, {
        'www-authenticate': 'Bearer',
      });
    case 'FORBIDDEN':
      return new OpenAiError(403, message, 'permission_error', 'forbidden');
    case 'MODEL_NOT_ALLOWED':
      return new OpenAiError(403, message, 'permission_error', 'model_not_allowed', 'model');
    // Not a money refusal a top-up fixes at once (402): the team may not call until reinstated.
    case 'WALLET_SUSPENDED':
      return new OpenAiError(403, message, 'permission_error', 'wallet_suspended', null, {
        ...NO_RETRY,
      });
    case 'NOT_FOUND':
      return new OpenAiError(404, message, 'invalid_request_error', 'model_not_found', 'model');
    case 'RATE_LIMITED':
      return new OpenAiError(
        429,
        message,
        extensions?.limit === 'tpm' || extensions?.limit === 'tpd' ? 'tokens' : 'requests',
        'rate_limit_exceeded',
        null,
        retryAfter(extensions),
      );
    case 'INSUFFICIENT_FUNDS':
    case 'BUDGET_EXCEEDED':
      return new OpenAiError(402, message, 'insufficient_quota', 'insufficient_quota', null, {
        ...NO_RETRY,
      });
    case 'CONFLICT':
      return new OpenAiError(409, message, 'invalid_request_error', 'conflict', null, {
        'retry-after': String(Math.ceil(Number(extensions?.retryAfterSeconds ?? 1))),
      });
    case 'IDEMPOTENCY_CONFLICT':
      return new OpenAiError(409, message, 'invalid_request_error', 'idempotency_conflict', null, {
        ...NO_RETRY,
      });
    case 'PROVIDER_ERROR':
    case 'PROVIDER_STREAM_INTERRUPTED':
      return new OpenAiError(502, message, 'api_error', code.toLowerCase());
    case 'SERVICE_UNAVAILABLE':
      return new OpenAiError(503, message, 'api_error', 'service_unavailable', null, {
        'retry-after': String(Math.ceil(Number(extensions?.retryAfterSeconds ?? 1))),
      });
    default:
      return new OpenAiError(500, message, 'api_error', 'internal_error');
  }
}

/** A failed authentication as /graphql answers it (401, or 503 when keys cannot be checked). */
export function fromAuthenticationError(error: unknown): unknown {
  if (error instanceof AuthenticationError) {
    return new OpenAiError(401, error.message, 'invalid_request_error', 'invalid_api_key', null, {
      'www-authenticate': 'Bearer',
    });
  }
  if (error instanceof AuthenticationUnavailableError) {
    return new OpenAiError(503, error.message, 'api_error', 'service_unavailable', null, {
      'retry-after': '1',
    });
  }
  return error;
}

/** Answers with OpenAI's error JSON. */
export function sendOpenAiError(res: ServerResponse, error: OpenAiError): void {
  sendJson(res, error.status, { error: error.body }, error.headers);
}
