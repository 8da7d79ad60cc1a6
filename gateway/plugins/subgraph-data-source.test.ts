import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { subgraphFetcher } from './subgraph-data-source.js';

/*
 * A replica that drains closes its idle keep-alive connections; a request that left on one as it
 * closed was never read. The fetcher tries a query again once; a mutation it never repeats.
 */
describe("the gateway's subgraph fetcher and a connection closed before any answer", () => {
  let server: Server;
  let url: string;
  let requests = 0;
  const fetcher = subgraphFetcher() as unknown as typeof fetch;
  const send = (query: string) =>
    fetcher(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });

  beforeAll(async () => {
    // The first request of each test is cut without an answer, as a closing connection would be.
    server = createServer((req, res) => {
      requests += 1;
      if (requests === 1) return void req.socket.destroy();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: { ok: true } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  beforeEach(() => {
    requests = 0;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends a query again, once', async () => {
    const response = await send('query Q__policy__0 { ok }');
    expect(await response.json()).toEqual({ data: { ok: true } });
    expect(requests).toBe(2);
  });

  it('never sends a mutation again', async () => {
    await expect(send('mutation { ok }')).rejects.toThrow('fetch failed');
    expect(requests).toBe(1);
  });
});
