import { EventEmitter } from 'node:events';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

/** A plain request as a caller would send it over HTTP: header names in lower case. */
export interface PlainRequest {
  method: string;
  headers: Record<string, string>;
  body: string;
}

/** The whole answer: header names in lower case, repeated values joined with `, `. */
export interface PlainResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

type HeaderValue = string | number | readonly string[];

/**
 * The part of a ServerResponse our route handlers use for plain (not streamed) answers. It keeps
 * Node's order of events: `finish` once the answer has ended, then `close`; a response destroyed
 * before its end emits only `close`, which the HTTP service counts as a client that left (499).
 */
class InProcessResponse extends EventEmitter {
  statusCode = 200;
  statusMessage = '';
  headersSent = false;
  writableEnded = false;
  writableFinished = false;
  destroyed = false;
  private readonly headers = new Map<string, HeaderValue>();
  private readonly chunks: Buffer[] = [];

  constructor(
    private readonly answered: (response: PlainResponse) => void,
    private readonly failed: (error: Error) => void,
  ) {
    super();
  }

  setHeader(name: string, value: HeaderValue) {
    // As Node does: a header set after the head went out is a bug, not a silent no-op.
    if (this.headersSent) throw new Error(`Cannot set header ${name} after it was sent.`);
    this.headers.set(name.toLowerCase(), value);
    return this;
  }
  getHeader(name: string) {
    return this.headers.get(name.toLowerCase());
  }
  getHeaders() {
    return Object.fromEntries(this.headers);
  }
  hasHeader(name: string) {
    return this.headers.has(name.toLowerCase());
  }
  removeHeader(name: string) {
    this.headers.delete(name.toLowerCase());
  }

  writeHead(
    status: number,
    reasonOrHeaders?: string | Record<string, HeaderValue>,
    headers?: Record<string, HeaderValue>,
  ) {
    const extra = typeof reasonOrHeaders === 'object' ? reasonOrHeaders : headers;
    for (const [name, value] of Object.entries(extra ?? {})) this.setHeader(name, value);
    if (typeof reasonOrHeaders === 'string') this.statusMessage = reasonOrHeaders;
    this.statusCode = status;
    this.headersSent = true;
    return this;
  }

  flushHeaders() {
    this.headersSent = true;
  }

  write(chunk: string | Uint8Array, encoding?: BufferEncoding | (() => void), done?: () => void) {
    if (this.destroyed || this.writableEnded) return false;
    this.headersSent = true;
    this.chunks.push(
      typeof chunk === 'string'
        ? Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8')
        : Buffer.from(chunk),
    );
    const callback = typeof encoding === 'function' ? encoding : done;
    if (callback) process.nextTick(callback);
    return true;
  }

  end(chunk?: string | Uint8Array | (() => void), encoding?: BufferEncoding | (() => void)) {
    if (this.destroyed || this.writableEnded) return this;
    if (chunk !== undefined && typeof chunk !== 'function') this.write(chunk, encoding);
    this.writableEnded = true;
    this.headersSent = true;
    process.nextTick(() => {
      if (this.destroyed) return;
      this.writableFinished = true;
      this.answered({
        status: this.statusCode,
        headers: plainHeaders(this.headers),
        body: Buffer.concat(this.chunks).toString('utf8'),
      });
      this.emit('finish');
      this.emit('close');
    });
    const callback = typeof chunk === 'function' ? chunk : encoding;
    if (typeof callback === 'function') process.nextTick(callback);
    return this;
  }

  destroy(error?: Error) {
    if (this.destroyed) return this;
    this.destroyed = true;
    if (!this.writableFinished) {
      this.failed(error ?? new Error('The service closed the exchange before answering.'));
      process.nextTick(() => this.emit('close'));
    }
    return this;
  }
}

function plainHeaders(headers: Map<string, HeaderValue>): Record<string, string> {
  const plain: Record<string, string> = {};
  for (const [name, value] of headers) {
    plain[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return plain;
}

/**
 * Hands one plain request to a node:http request listener in this process, without a socket, and
 * resolves with its whole answer. The listener sees what it would see over HTTP: the method, the
 * path, the caller's headers with the `host` and `content-length` a client sends, and the body as
 * a stream. An aborted `signal` leaves the exchange as a client that hangs up does.
 */
export function exchangeInProcess(
  listener: RequestListener,
  url: URL,
  request: PlainRequest,
  signal?: AbortSignal,
): Promise<PlainResponse> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const body = Buffer.from(request.body, 'utf8');
    const req = Object.assign(new Readable({ read() {} }), {
      method: request.method,
      url: url.pathname + url.search,
      headers: { ...request.headers, host: url.host, 'content-length': String(body.length) },
      httpVersion: '1.1',
      httpVersionMajor: 1,
      httpVersionMinor: 1,
    });
    if (body.length > 0) req.push(body);
    req.push(null);
    const res = new InProcessResponse(resolve, reject);
    const leave = () => res.destroy(signal?.reason as Error);
    signal?.addEventListener('abort', leave, { once: true });
    res.once('close', () => signal?.removeEventListener('abort', leave));
    listener(req as unknown as IncomingMessage, res as unknown as ServerResponse);
  });
}
