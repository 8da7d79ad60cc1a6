import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionResult } from 'graphql';
import { eventually } from '../../test/support/eventually.js';
import { silentLogger } from '../../test/support/identities.js';
import { pipeSubscription } from './pipe-subscription.js';
import { StreamBrokenError } from './subscription-errors.js';
import type { StreamProtocol } from './stream-protocol.js';
import { streamWriter } from './stream-writers.js';

/** An event source the test drives: push results, then end or fail it. */
function controlledEvents() {
  const queue: Array<ExecutionResult | Error | 'end'> = [];
  let wake: (() => void) | undefined;
  const state = { returned: false };
  async function* events(): AsyncGenerator<ExecutionResult> {
    try {
      for (;;) {
        while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        const item = queue.shift()!;
        if (item === 'end') return;
        if (item instanceof Error) throw item;
        yield item;
      }
    } finally {
      state.returned = true;
    }
  }
  const push = (item: ExecutionResult | Error | 'end') => {
    queue.push(item);
    wake?.();
  };
  return { iterator: events(), push, state };
}

let server: Server;
let served: ReturnType<typeof controlledEvents>;
let protocol: StreamProtocol;
let pipeDone: Promise<void>;

beforeAll(async () => {
  server = createServer((_req, res) => {
    pipeDone = pipeSubscription(served.iterator, streamWriter(protocol, res), res, {
      heartbeatMs: 20,
      logger: silentLogger,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Opens the stream and reads it as text until `until` holds for what arrived so far. */
async function openAndReadUntil(until: (text: string) => boolean, abort?: AbortController) {
  const { port } = server.address() as AddressInfo;
  const response = await fetch(`http://127.0.0.1:${port}/`, { signal: abort?.signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!until(text)) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return { response, text, reader };
}

describe('pipeSubscription', () => {
  beforeEach(() => {
    served = controlledEvents();
  });

  it('multipart: heartbeats while idle, each event a payload part, then the closing delimiter', async () => {
    protocol = 'multipart';
    const heartbeats = (text: string) => text.split('\r\n\r\n{}').length - 1;
    const first = await openAndReadUntil((text) => heartbeats(text) >= 3);
    served.push({ data: { n: 1 } });
    served.push('end');
    let text = first.text;
    for (;;) {
      const { done, value } = await first.reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(first.response.headers.get('content-type')).toBe(
      'multipart/mixed;boundary="graphql";subscriptionSpec="1.0"',
    );
    expect(text).toContain(
      '\r\n--graphql\r\ncontent-type: application/json\r\n\r\n{"payload":{"data":{"n":1}}}',
    );
    expect(text.endsWith('\r\n--graphql--\r\n')).toBe(true);
  });

  it('SSE: a broken stream ends with its coded errors in a last `next`, then `complete`', async () => {
    protocol = 'sse';
    served.push({ data: { n: 1 } });
    served.push(new StreamBrokenError('SERVICE_UNAVAILABLE', 'Shutting down.'));
    const { text } = await openAndReadUntil(() => false);
    expect(text).toBe(
      ':\n\n' +
        'event: next\ndata: {"data":{"n":1}}\n\n' +
        'event: next\ndata: {"errors":[{"message":"Shutting down.","extensions":{"code":"SERVICE_UNAVAILABLE"}}]}\n\n' +
        'event: complete\ndata:\n\n',
    );
  });

  it('stops pulling events once the client has left', async () => {
    protocol = 'sse';
    const abort = new AbortController();
    served.push({ data: { n: 1 } });
    await openAndReadUntil((text) => text.includes('"n":1'), abort).catch(() => undefined);
    abort.abort();
    let finished = false;
    void pipeDone.then(() => (finished = true));
    // The next event after the server saw the client go ends the pipe and the iterator.
    let n = 2;
    await eventually(
      'the pipe ended',
      () => {
        if (!finished) served.push({ data: { n: n++ } });
        return finished || undefined;
      },
      { timeoutMs: 5_000, intervalMs: 10 },
    );
    expect(served.state.returned).toBe(true);
  });
});
