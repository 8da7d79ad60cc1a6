import type { ServerResponse } from 'node:http';
import type { ExecutionResult } from 'graphql';
import { ErrorCode } from '../../lib/errors.js';
import type { Logger } from '../../lib/logging.js';
import { StreamBrokenError, codedFormattedError } from './subscription-errors.js';
import type { StreamWriter } from './stream-writers.js';

/** Resolves when the response can take more, or when it is gone. */
const writable = (res: ServerResponse) =>
  new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });

/**
 * Sends a subscription's events to one client in its protocol: headers at once, a heartbeat after
 * every `heartbeatMs` without an event, a terminal error frame when the stream breaks off, the
 * closing frame at the end. A client that reads slowly holds the upstream back (it waits for
 * `drain`) rather than piling events up in memory. Once the client has left it writes nothing.
 */
export async function pipeSubscription(
  events: AsyncIterableIterator<ExecutionResult>,
  writer: StreamWriter,
  res: ServerResponse,
  options: { heartbeatMs: number; logger: Logger },
): Promise<void> {
  const gone = () => res.destroyed || res.writableEnded;
  writer.start();
  const heartbeat = setInterval(() => {
    if (!gone()) writer.heartbeat();
  }, options.heartbeatMs);
  try {
    for await (const result of events) {
      if (gone()) break;
      heartbeat.refresh();
      if (!writer.next(result)) await writable(res);
    }
    if (!gone()) writer.end();
  } catch (error) {
    if (gone()) return;
    if (error instanceof StreamBrokenError) {
      writer.fail(error.errors);
    } else {
      options.logger.error({ err: error }, 'subscription stream failed');
      writer.fail([
        codedFormattedError(ErrorCode.INTERNAL_SERVER_ERROR, 'The stream failed; subscribe again.'),
      ]);
    }
    writer.end();
  } finally {
    clearInterval(heartbeat);
  }
}
