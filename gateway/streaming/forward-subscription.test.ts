import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { forwardSubscription, type ForwardOptions } from './forward-subscription.js';
import { StreamBrokenError, SubscriptionRefusedError } from './subscription-errors.js';
import { rejectionOf } from '../../test/support/thrown.js';

const dispatcher = new Agent();
let server: Server | undefined;
afterEach(
  () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
);
afterAll(() => dispatcher.close());

/** A stand-in that answers the way the internal transport's contract says a subgraph may. */
async function answering(listener: RequestListener): Promise<string> {
  server = createServer(listener);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/graphql`;
}

const options = (url: string, signal = new AbortController().signal): ForwardOptions => ({
  subgraph: 'inference',
  url,
  dispatcher,
  token: 'token',
  requestId: 'request-1',
  body: { query: 'subscription { s }' },
  signal,
});

async function refusal(promise: Promise<unknown>): Promise<SubscriptionRefusedError> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(SubscriptionRefusedError);
  return error as SubscriptionRefusedError;
}

describe('forwardSubscription', () => {
  it('relays `next` payloads until `complete`, sending the token and request id', async () => {
    let headers: Record<string, unknown> = {};
    const url = await answering((req, res) => {
      headers = req.headers;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(
        'event: next\ndata: {"data":{"s":1}}\n\n:\n\nevent: next\ndata: {"data":{"s":2}}\n\nevent: complete\ndata:\n\n',
      );
    });
    const results = [];
    for await (const result of await forwardSubscription(options(url))) results.push(result);
    expect(results).toEqual([{ data: { s: 1 } }, { data: { s: 2 } }]);
    expect(headers['x-modelgraph-internal-token']).toBe('token');
    expect(headers['x-request-id']).toBe('request-1');
    expect(headers.accept).toBe('text/event-stream');
  });

  it('says the subgraph serves subscriptions alone when its validation refuses', async () => {
    const url = await answering((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        '{"errors":[{"message":"Cannot query field \\"displayName\\" on type \\"Model\\".","extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]}',
      );
    });
    const error = await refusal(forwardSubscription(options(url)));
    expect(error.status).toBe(400);
    expect(error.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(error.message).toMatch(
      /^Subscriptions are served by the inference subgraph alone; fetch other fields with a query\. Cannot query field "displayName"/,
    );
  });

  it('answers 503 SERVICE_UNAVAILABLE when the subgraph cannot be reached', async () => {
    const url = await answering(() => undefined);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const error = await refusal(forwardSubscription(options(url)));
    expect([error.status, error.code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
  });

  it('throws StreamBrokenError when the stream ends without `complete`', async () => {
    const url = await answering((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('event: next\ndata: {"data":{"s":1}}\n\n');
    });
    const events = await forwardSubscription(options(url));
    expect((await events.next()).value).toEqual({ data: { s: 1 } });
    const error = await events.next().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StreamBrokenError);
    expect((error as StreamBrokenError).code).toBe('SERVICE_UNAVAILABLE');
  });
});
