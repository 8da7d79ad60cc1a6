import { GraphQLError } from 'graphql';
import { isPublicCode } from '../../lib/errors.js';

/**
 * The first coded client error in a subgraph's refusal body (`{"errors": [...]}`), as a clean
 * GraphQLError: its message and code, no stack trace, no nested response. Undefined when the body
 * is not JSON or its first error's code is not a public one (a fault stays a fault).
 */
export function codedClientError(body: string): GraphQLError | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const first = (parsed as { errors?: unknown })?.errors;
  const error = Array.isArray(first)
    ? (first[0] as Record<string, unknown> | undefined)
    : undefined;
  const extensions = error?.extensions as Record<string, unknown> | undefined;
  const code = extensions?.code;
  if (typeof code !== 'string' || !isPublicCode(code) || typeof error?.message !== 'string') {
    return undefined;
  }
  const { stacktrace: _stack, exception: _exception, ...rest } = extensions ?? {};
  return new GraphQLError(error.message, { extensions: { ...rest, code } });
}
