import type { ServerResponse } from 'node:http';
import type { ExecutionResult, FormattedExecutionResult, GraphQLFormattedError } from 'graphql';
import type { StreamProtocol } from './stream-protocol.js';

/** Writes one protocol's framing; every method returns res.write's answer (false: wait for drain). */
export interface StreamWriter {
  /** Status, headers (flushed at once) and a first heartbeat, so clients see the stream start. */
  start(): void;
  next(result: ExecutionResult | FormattedExecutionResult): boolean;
  /** A terminal error of the transport (the stream broke off, the gateway is stopping). */
  fail(errors: readonly GraphQLFormattedError[]): boolean;
  heartbeat(): boolean;
  /** The closing frame, then the end of the response. */
  end(): void;
}

const NO_BUFFERING = { 'cache-control': 'no-cache', 'x-accel-buffering': 'no' };

export const MULTIPART_CONTENT_TYPE = 'multipart/mixed;boundary="graphql";subscriptionSpec="1.0"';

/**
 * Apollo's multipart HTTP subscription protocol: each part is `{"payload": <ExecutionResult>}`,
 * a heartbeat is `{}`, a transport error is `{"payload": null, "errors": [...]}`, and
 * `--graphql--` ends the body. Each delimiter is preceded by CRLF (RFC 2046), which is also
 * what Apollo Client's parser looks for.
 */
export function multipartWriter(res: ServerResponse): StreamWriter {
  const part = (body: unknown) =>
    res.write(`\r\n--graphql\r\ncontent-type: application/json\r\n\r\n${JSON.stringify(body)}`);
  return {
    start() {
      res.writeHead(200, { 'content-type': MULTIPART_CONTENT_TYPE, ...NO_BUFFERING });
      res.flushHeaders();
      part({});
    },
    next: (result) => part({ payload: result }),
    fail: (errors) => part({ payload: null, errors }),
    heartbeat: () => part({}),
    end() {
      res.end('\r\n--graphql--\r\n');
    },
  };
}

/**
 * graphql-sse's distinct connections mode: `next` events carry ExecutionResults, a `complete`
 * event ends the stream, comments are heartbeats. The protocol has no error event, so a
 * transport error is a last `next` with `errors` before `complete`.
 */
export function eventStreamWriter(res: ServerResponse): StreamWriter {
  const event = (name: string, data: unknown) =>
    res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  return {
    start() {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', ...NO_BUFFERING });
      res.flushHeaders();
      res.write(':\n\n');
    },
    next: (result) => event('next', result),
    fail: (errors) => event('next', { errors }),
    heartbeat: () => res.write(':\n\n'),
    end() {
      res.end('event: complete\ndata:\n\n');
    },
  };
}

export const streamWriter = (protocol: StreamProtocol, res: ServerResponse): StreamWriter =>
  protocol === 'multipart' ? multipartWriter(res) : eventStreamWriter(res);
