import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { RouteContext } from './http-server.js';
import { BodyTooLargeError, readBody, sendError } from './responses.js';

/** @default 1 MiB */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * Hands one HTTP request to Apollo Server. Body-level failures (too large, not JSON) are answered
 * here with coded GraphQL errors, because Apollo never sees them.
 */
export async function handleGraphQLRequest<TContext extends BaseContext>(
  { req, res, url }: RouteContext,
  server: ApolloServer<TContext>,
  context: () => Promise<TContext>,
  bodyLimit = DEFAULT_BODY_LIMIT,
): Promise<void> {
  let body: unknown = undefined;
  if (req.method === 'POST') {
    let raw: Buffer;
    try {
      raw = await readBody(req, bodyLimit);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        return sendError(res, 413, 'BAD_REQUEST', `Request body exceeds ${bodyLimit} bytes.`);
      }
      throw error;
    }
    const type = String(req.headers['content-type'] ?? '');
    if (type.includes('json')) {
      try {
        body = raw.length === 0 ? undefined : JSON.parse(raw.toString('utf8'));
      } catch {
        return sendError(res, 400, 'BAD_REQUEST', 'The request body is not valid JSON.');
      }
    } else {
      body = raw.toString('utf8');
    }
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
