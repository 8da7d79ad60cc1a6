import type { ServerResponse } from 'node:http';
import { sendError, sendJson } from '../../lib/http/responses.js';
import type { StreamProtocol } from '../streaming/stream-protocol.js';
import { streamWriter } from '../streaming/stream-writers.js';
import type { DocumentResolution } from './trusted-documents.js';

/** Never cached: the same id may be registered a minute later (as Apollo's own APQ errors). */
const NO_CACHE = { 'cache-control': 'private, no-cache, must-revalidate' };

/**
 * Answers a refused operation. Like Apollo's persisted-query errors: status 200 and a GraphQL
 * error, which every client reads as one. graphql-sse's client would retry an answer that is not
 * an event stream, so it gets the error as an event (as validation errors are sent).
 */
export function sendDocumentRefusal(
  res: ServerResponse,
  protocol: StreamProtocol | undefined,
  resolution: Exclude<DocumentResolution, { run: unknown }>,
): void {
  if ('unavailable' in resolution) {
    sendError(res, 503, 'SERVICE_UNAVAILABLE', resolution.unavailable, { 'retry-after': '1' });
    return;
  }
  const errors = [
    { message: resolution.refuse.message, extensions: { code: resolution.refuse.code } },
  ];
  if (protocol === 'sse') {
    const writer = streamWriter('sse', res);
    writer.start();
    writer.next({ errors });
    writer.end();
    return;
  }
  sendJson(res, 200, { errors }, NO_CACHE);
}
