/**
 * What the provider emulators share: a node:http server on 127.0.0.1, the request log, latency
 * and fault injection. Each provider's wire format lives in its own file (openai.ts,
 * anthropic.ts); the rules answers follow are in deterministic-answers.ts. Test fixtures only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_REPLY } from './deterministic-answers.js';
import { createExchange, dialectError, playFault } from './emulator-exchange.js';
import type {
  Dialect,
  EmulatorFault,
  EmulatorOptions,
  EmulatorSettings,
  ProviderEmulator,
  ProviderRequestBody,
  RecordedRequest,
} from './emulator-types.js';

export type * from './emulator-types.js';

/**
 * Starts an emulator speaking `dialect`. One closure holds the server's state (settings, fault
 * queue, request log, pending timers) that handle() and the returned controls share, hence its
 * length; answering is in emulator-exchange.ts.
 */
export async function startEmulator(
  dialect: Dialect,
  options: EmulatorOptions = {},
): Promise<ProviderEmulator> {
  const initial = (): EmulatorSettings => ({
    reply: DEFAULT_REPLY,
    latencyMs: 0,
    chunkDelayMs: 0,
    embeddingDimensions: 8,
    ...options,
  });
  let settings = initial();
  let faults: EmulatorFault[] = [];
  const requests: RecordedRequest[] = [];
  const timers = new Map<NodeJS.Timeout, () => void>();
  let sequence = 0;
  let closing = false;

  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0) return resolve();
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.set(timer, resolve);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: ProviderRequestBody | undefined;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    const fault = faults.shift() ?? settings.faultEvery;
    const path = req.url ?? '/';
    const { headers, method = '' } = req;
    const remotePort = req.socket.remotePort ?? 0;
    const record: RecordedRequest = {
      method,
      path,
      headers,
      body,
      receivedAt: Date.now(),
      remotePort,
      fault,
    };
    requests.push(record);
    res.on('close', () => {
      record.closedAt = Date.now();
      record.answered = res.writableFinished;
    });
    const current = settings;
    const gone = () => closing || res.destroyed;
    // A route runs only once the body parsed (see below); errors before that do not read it.
    const facts = { body: body ?? {}, headers, settings: current, fault, sequence: ++sequence };
    const exchange = createExchange(res, dialect, facts, delay, gone);

    await delay(current.latencyMs);
    if (gone() || fault?.timeout) return;
    if (playFault(fault, req, res, exchange, dialect, body)) return;
    const route = dialect.routes[`${req.method} ${path.split('?')[0]}`];
    if (!route) return exchange.error(404, `No route for ${req.method} ${path}`);
    if (current.apiKey !== undefined) {
      const problem = dialect.checkKey(req.headers, current.apiKey);
      if (problem) return exchange.error(401, problem);
    }
    if (body === undefined) return exchange.error(400, 'The request body is not valid JSON.');
    await route(exchange);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) dialectError(res, dialect, 500, String(error), {});
      else res.destroy();
    });
  });
  // Like the real APIs behind their load balancers: idle connections stay open a while.
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl: origin + dialect.basePath,
    origin,
    requests,
    configure(changes) {
      settings = { ...settings, ...changes };
    },
    failNext(...next) {
      faults.push(...next);
    },
    reset() {
      settings = initial();
      faults = [];
      requests.length = 0;
    },
    async close() {
      closing = true;
      for (const [timer, resolve] of timers) {
        clearTimeout(timer);
        resolve();
      }
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
