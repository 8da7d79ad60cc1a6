import { createHash } from 'node:crypto';
import { DEFAULT_PERSISTED_QUERIES } from '../../gateway/persisted-queries/persisted-query-cache.js';
import { persistedQueryClient } from '../support/apq-client.js';
import {
  expectErrorCode,
  expectNoErrors,
  type GraphQLResponse,
} from '../support/graphql-client.js';
import { eventually } from '../support/eventually.js';
import { scrapeMetric } from '../support/scrape-metric.js';
import { startStack, TEST_ADMIN_KEY, type Stack } from '../support/stack.js';
import { STORE_MODES } from '../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const MAX_DOCUMENT_BYTES = 2048;

interface ModelsData {
  models: { totalCount: number };
}

/** A request with a persisted-query extension, over POST (a JSON body) or GET (a query string). */
async function sendPersisted(
  url: string,
  method: 'GET' | 'POST',
  params: { hash: string; query?: string; variables?: Record<string, unknown> },
): Promise<GraphQLResponse<ModelsData>> {
  const extensions = { persistedQuery: { version: 1, sha256Hash: params.hash } };
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` };
  let response: Response;
  if (method === 'POST') {
    const body = JSON.stringify({ query: params.query, variables: params.variables, extensions });
    response = await fetch(url, { method, headers, body });
  } else {
    const search = new URLSearchParams({ extensions: JSON.stringify(extensions) });
    if (params.query) search.set('query', params.query);
    if (params.variables) search.set('variables', JSON.stringify(params.variables));
    response = await fetch(`${url}?${search}`, { headers });
  }
  return { status: response.status, headers: response.headers, body: await response.json() };
}

describe.each(STORE_MODES)('automatic persisted queries (%s stores)', (mode) => {
  let stack: Stack;
  /** One document per test, so no test finds another's registration. */
  let n = 0;
  const uniqueQuery = () => `query Models${(n += 1)}($n: Int) { models(first: $n) { totalCount } }`;
  const metric = (name: string, labels: Record<string, string>) =>
    scrapeMetric(`${stack.gatewayBase}/metrics`, name, labels);

  beforeAll(async () => {
    stack = await startStack({
      mode,
      gateway: {
        persistedQueries: { ...DEFAULT_PERSISTED_QUERIES, maxDocumentBytes: MAX_DOCUMENT_BYTES },
      },
    });
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  });

  it.each(['POST', 'GET'] as const)(
    'misses an unknown hash, registers it with its query, then serves it by hash alone (%s)',
    async (method) => {
      const query = uniqueQuery();
      const hash = sha256(query);
      const variables = { n: 1 };
      const [hits, misses, stored] = await Promise.all([
        metric('modelgraph_cache_lookups_total', { cache: 'apq', result: 'hit' }),
        metric('modelgraph_cache_lookups_total', { cache: 'apq', result: 'miss' }),
        metric('modelgraph_apq_registrations_total', { result: 'stored' }),
      ]);

      const missed = await sendPersisted(stack.url, method, { hash, variables });
      expectErrorCode(missed, 'PERSISTED_QUERY_NOT_FOUND');
      expect(missed.body.data).toBeUndefined();
      const registered = expectNoErrors(
        await sendPersisted(stack.url, method, { hash, query, variables }),
      );
      expect(registered.models.totalCount).toBeGreaterThan(0);
      // Apollo registers without awaiting the store before it answers.
      await eventually(
        'the query is stored',
        async () => ((await stack.kv.get(`apq:${hash}`)) === query ? true : undefined),
        { timeoutMs: 5_000, intervalMs: 10 },
      );
      const byHash = await sendPersisted(stack.url, method, { hash, variables });
      expect(expectNoErrors(byHash)).toEqual(registered);

      expect(await metric('modelgraph_cache_lookups_total', { cache: 'apq', result: 'hit' })).toBe(
        hits + 1,
      );
      expect(await metric('modelgraph_cache_lookups_total', { cache: 'apq', result: 'miss' })).toBe(
        misses + 1,
      );
      expect(await metric('modelgraph_apq_registrations_total', { result: 'stored' })).toBe(
        stored + 1,
      );
    },
  );

  it('refuses a hash that does not match its query (BAD_REQUEST) and stores nothing under it', async () => {
    const query = uniqueQuery();
    const wrong = sha256(`${query} `);
    const refused = await sendPersisted(stack.url, 'POST', { hash: wrong, query });
    expect(refused.status).toBe(400);
    expect(expectErrorCode(refused, 'BAD_REQUEST').message).toBe(
      'provided sha does not match query',
    );
    await expect(stack.kv.get(`apq:${wrong}`)).resolves.toBeNull();
    expectErrorCode(
      await sendPersisted(stack.url, 'POST', { hash: wrong }),
      'PERSISTED_QUERY_NOT_FOUND',
    );
  });

  it('runs a document over APQ_MAX_DOCUMENT_BYTES but does not store it', async () => {
    // Whitespace pads it past the limit without adding tokens the operation limits would count.
    const query = `${uniqueQuery()}${' '.repeat(MAX_DOCUMENT_BYTES)}`;
    const hash = sha256(query);
    const tooLarge = await metric('modelgraph_apq_registrations_total', { result: 'too_large' });
    expectNoErrors(await sendPersisted(stack.url, 'POST', { hash, query }));
    await expect(stack.kv.get(`apq:${hash}`)).resolves.toBeNull();
    expectErrorCode(await sendPersisted(stack.url, 'POST', { hash }), 'PERSISTED_QUERY_NOT_FOUND');
    expect(await metric('modelgraph_apq_registrations_total', { result: 'too_large' })).toBe(
      tooLarge + 1,
    );
  });

  it("works with Apollo Client's persisted-queries link: the second client sends the hash alone", async () => {
    const query = uniqueQuery();
    const first = persistedQueryClient(stack.url, TEST_ADMIN_KEY, { useGETForHashedQueries: true });
    const second = persistedQueryClient(stack.url, TEST_ADMIN_KEY, {
      useGETForHashedQueries: true,
    });
    try {
      const data = await first.query<ModelsData>(query, { n: 2 });
      expect(data.models.totalCount).toBeGreaterThan(0);
      // The hash alone over GET, PERSISTED_QUERY_NOT_FOUND, then the document over POST.
      // (The hash is of the document as the client prints it, not of our text.)
      const hash = first.sent[0]?.hash;
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      expect(first.sent).toEqual([
        { method: 'GET', withDocument: false, hash },
        { method: 'POST', withDocument: true, hash },
      ]);
      await expect(second.query<ModelsData>(query, { n: 2 })).resolves.toEqual(data);
      expect(second.sent).toEqual([{ method: 'GET', withDocument: false, hash }]);
    } finally {
      first.stop();
      second.stop();
    }
  });
});
