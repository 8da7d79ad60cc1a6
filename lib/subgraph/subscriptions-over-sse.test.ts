import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { eventually } from '../../test/support/eventually.js';
import { silentLogger } from '../../test/support/identities.js';
import { createHttpService } from '../http/http-server.js';
import { createServiceMetrics } from '../metrics.js';
import { createSubscriptionTransport } from './subscriptions-over-sse.js';

/*
 * The SSE transport with a reader that does not read: the next event is pulled only once the
 * response has drained, and a client that leaves while the transport waits still ends the stream.
 */

const EVENT = 'x'.repeat(64 * 1024);

/** A source of `count` large events that notes, at each pull, how much the response held. */
function createSource(count: number) {
  const source = {
    pulls: 0,
    returned: false,
    bufferedAtPull: [] as number[],
    res: undefined as ServerResponse | undefined,
    iterator(): AsyncIterableIterator<{ big: string }> {
      const it: AsyncIterableIterator<{ big: string }> = {
        next: async () => {
          source.bufferedAtPull.push(source.res!.writableLength);
          source.pulls += 1;
          return source.pulls > count
            ? { value: undefined, done: true }
            : { value: { big: EVENT }, done: false };
        },
        return: async () => {
          source.returned = true;
          return { value: undefined, done: true };
        },
        [Symbol.asyncIterator]: () => it,
      };
      return it;
    },
  };
  return source;
}

function schemaOver(source: ReturnType<typeof createSource>) {
  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        big: { type: GraphQLString, subscribe: () => source.iterator() },
      },
    }),
  });
}

async function serve(source: ReturnType<typeof createSource>) {
  const metrics = createServiceMetrics('test');
  const transport = createSubscriptionTransport({
    schema: schemaOver(source),
    formatError: (formatted) => formatted,
    heartbeatMs: 60_000,
    metrics,
  });
  let handled: Promise<void> | undefined;
  const http = createHttpService({
    service: 'sse-test',
    logger: silentLogger,
    metrics,
    routes: {
      '/graphql': {
        POST: (ctx) => {
          source.res = ctx.res;
          handled = transport.handle(ctx, async () => ({}));
          return handled;
        },
      },
    },
  });
  const port = await http.listen(0);
  /** Opens the subscription and resolves with the response, not read yet (paused). */
  const subscribe = () =>
    new Promise<{ response: IncomingMessage; destroy(): void }>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port,
        path: '/graphql',
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      });
      req.on('response', (response) => resolve({ response, destroy: () => req.destroy() }));
      req.on('error', reject);
      req.end(JSON.stringify({ query: 'subscription Big { big }' }));
    });
  return { subscribe, metrics, handled: () => handled!, close: () => http.close() };
}

describe('subscriptions over SSE with a slow reader', () => {
  it('pulls the next event only once the response has drained', async () => {
    const source = createSource(400);
    const served = await serve(source);
    try {
      const { response } = await served.subscribe();
      await eventually('the response is full', () => source.res?.writableNeedDrain || undefined, {
        timeoutMs: 10_000,
        intervalMs: 10,
      });
      // 400 × 64 KiB is far more than the socket buffers: the stream waited for the reader.
      expect(source.pulls).toBeLessThan(400);
      let body = '';
      response.setEncoding('utf8');
      for await (const chunk of response) body += chunk;
      expect(body.split('event: next\n').length - 1).toBe(400);
      expect(body.endsWith('event: complete\ndata:\n\n')).toBe(true);
      const highWaterMark = source.res!.writableHighWaterMark;
      expect(Math.max(...source.bufferedAtPull)).toBeLessThan(highWaterMark);
      await served.handled();
      // Timed as an operation when it started, and as an HTTP request apart from /graphql's.
      const exposition = await served.metrics.registry.metrics();
      expect(exposition).toContain(
        'modelgraph_graphql_operation_duration_seconds_count{service="test",operation="Big",outcome="ok"} 1',
      );
      expect(exposition).toContain(
        'modelgraph_http_request_duration_seconds_count{service="test",route="/graphql (stream)",status="200"} 1',
      );
    } finally {
      await served.close();
    }
  });

  it('ends the stream when the client leaves while the transport waits for it', async () => {
    const source = createSource(Number.POSITIVE_INFINITY);
    const served = await serve(source);
    try {
      const { destroy } = await served.subscribe();
      await eventually('the response is full', () => source.res?.writableNeedDrain || undefined, {
        timeoutMs: 10_000,
        intervalMs: 10,
      });
      destroy();
      await served.handled();
      expect(source.returned).toBe(true);
    } finally {
      await served.close();
    }
  });
});

describe('a subscription its service stops (a drain)', () => {
  it('ends with a SERVICE_UNAVAILABLE result, then complete', async () => {
    let wake: (() => void) | undefined;
    let returned = false;
    // One event, then nothing until the stream is stopped.
    const oneThenWait = (): AsyncIterableIterator<{ tick: string }> => {
      let sent = false;
      const it: AsyncIterableIterator<{ tick: string }> = {
        next: async () => {
          if (sent) await new Promise<void>((resolve) => (wake = resolve));
          sent = true;
          return returned
            ? { value: undefined, done: true }
            : { value: { tick: 'one' }, done: false };
        },
        return: async () => {
          returned = true;
          wake?.();
          return { value: undefined, done: true };
        },
        [Symbol.asyncIterator]: () => it,
      };
      return it;
    };
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
      subscription: new GraphQLObjectType({
        name: 'Subscription',
        fields: { tick: { type: GraphQLString, subscribe: oneThenWait } },
      }),
    });
    const metrics = createServiceMetrics('test');
    const transport = createSubscriptionTransport({ schema, formatError: (f) => f, metrics });
    const http = createHttpService({
      service: 'sse-test',
      logger: silentLogger,
      metrics,
      routes: { '/graphql': { POST: (ctx) => transport.handle(ctx, async () => ({})) } },
    });
    const port = await http.listen(0);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'subscription { tick }' }),
      });
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      while (!text.includes('"tick":"one"')) text += (await reader.read()).value ?? '';

      await transport.drain(0);
      for (let read = await reader.read(); !read.done; read = await reader.read())
        text += read.value;
      const events = text.split('\n\n').filter((e) => e.startsWith('event:'));
      expect(events.slice(-2)).toEqual([
        `event: next\ndata: ${JSON.stringify({
          errors: [
            {
              message: 'The service is shutting down; subscribe again.',
              extensions: { code: 'SERVICE_UNAVAILABLE' },
            },
          ],
        })}`,
        'event: complete\ndata:',
      ]);
      expect(returned).toBe(true);
    } finally {
      await http.close();
    }
  });
});
