/** How the emulators answer one request: the dialect's JSON, its errors, event streams and faults. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dialect, EmulatorFault, Exchange, ProviderRequestBody } from './emulator-types.js';

const CUT_AFTER_MS = 50;

export function dialectError(
  res: ServerResponse,
  dialect: Dialect,
  status: number,
  message: string,
  headers: Record<string, string>,
) {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(dialect.errorBody(status, message)));
}

export function createExchange(
  res: ServerResponse,
  dialect: Dialect,
  facts: Pick<Exchange, 'body' | 'headers' | 'settings' | 'fault' | 'sequence'>,
  delay: (ms: number) => Promise<void>,
  gone: () => boolean,
): Exchange {
  return {
    ...facts,
    json(status, body, headers = {}) {
      if (gone()) return;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    },
    errorBody: (status, message) => dialect.errorBody(status, message),
    error: (status, message, headers = {}) => dialectError(res, dialect, status, message, headers),
    eventStream() {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      return {
        async send(data, event) {
          if (gone()) return false;
          const text = typeof data === 'string' ? data : JSON.stringify(data);
          res.write(`${event ? `event: ${event}\n` : ''}data: ${text}\n\n`);
          await delay(facts.settings.chunkDelayMs);
          return !gone();
        },
        // Lets what was sent reach the client first, as it would have before a real cut.
        async cut() {
          await new Promise<void>((resolve) => res.write('', () => resolve()));
          await delay(CUT_AFTER_MS);
          res.socket?.destroy();
        },
        end: () => void (gone() || res.end()),
      };
    },
  };
}

/** Plays `fault` in place of the answer; false when the request should be answered normally. */
export function playFault(
  fault: EmulatorFault | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  exchange: Exchange,
  dialect: Dialect,
  body: ProviderRequestBody | undefined,
): boolean {
  if (fault?.dropConnection) {
    req.socket.destroy();
    return true;
  }
  const faultHeaders: Record<string, string> = {};
  if (fault?.retryAfter !== undefined) faultHeaders['retry-after'] = fault.retryAfter;
  if (fault?.retryAfterMs !== undefined) {
    faultHeaders['retry-after-ms'] = String(fault.retryAfterMs);
  }
  if (fault?.body !== undefined) {
    res.writeHead(fault.status ?? 200, { 'content-type': 'application/json', ...faultHeaders });
    res.end(fault.body);
    return true;
  }
  if (fault?.status) {
    const message = fault.message ?? `Emulated HTTP ${fault.status}`;
    exchange.error(fault.status, message, faultHeaders);
    return true;
  }
  if (fault?.stallAfterHeaders) {
    const stream = body?.stream === true;
    res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' });
    // A stream's opening comment carries no event; a JSON body is cut before its content.
    res.write(stream ? ': opened\n\n' : '{"id": "stalled", ');
    return true;
  }
  if (fault?.malformed) {
    const stream = body?.stream === true;
    res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' });
    res.end(stream ? dialect.brokenEvent : '{"id": "broken", "content": [{"text": "Hel');
    return true;
  }
  return false;
}
