import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteContext } from './http-server.js';
import { BodyTooLargeError, readBody, sendError } from './responses.js';

/** @default 1 MiB */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * Reads a POST body: JSON when the content type says so, text otherwise. Body-level failures (too
 * large, not JSON) are answered here with coded GraphQL errors, and then it resolves undefined.
 */
export async function readGraphQLBody(
  req: IncomingMessage,
  res: ServerResponse,
  bodyLimit = DEFAULT_BODY_LIMIT,
): Promise<{ body: unknown } | undefined> {
  let raw: Buffer;
  try {
    raw = await readBody(req, bodyLimit);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      sendError(res, 413, 'BAD_REQUEST', `Request body exceeds ${bodyLimit} bytes.`);
      return undefined;
    }
    throw error;
  }
  const type = String(req.headers['content-type'] ?? '');
  if (!type.includes('json')) return { body: raw.toString('utf8') };
  try {
    return { body: raw.length === 0 ? undefined : JSON.parse(raw.toString('utf8')) };
  } catch {
    sendError(res, 400, 'BAD_REQUEST', 'The request body is not valid JSON.');
    return undefined;
  }
}

/**
 * Hands one HTTP request to Apollo Server. Body-level failures (too large, not JSON) are answered
 * here with coded GraphQL errors, because Apollo never sees them. `preread` is a body the caller
 * has already read (the gateway reads it to see whether to stream).
 */
export async function handleGraphQLRequest<TContext extends BaseContext>(
  { req, res, url }: RouteContext,
  server: ApolloServer<TContext>,
  context: () => Promise<TContext>,
  bodyLimit = DEFAULT_BODY_LIMIT,
  preread?: { body: unknown },
): Promise<void> {
  let body: unknown = preread?.body;
  if (req.method === 'POST' && !preread) {
    const read = await readGraphQLBody(req, res, bodyLimit);
    if (!read) return;
    body = read.body;
  }

  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const result = await server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
    context,
  });

  for (const [name, value] of result.headers) res.setHeader(name, value);
  res.statusCode = result.status ?? 200;
  if (result.body.kind === 'complete') {
    res.end(result.body.string);
    return;
  }
  for await (const chunk of result.body.asyncIterator) res.write(chunk);
  res.end();
}
