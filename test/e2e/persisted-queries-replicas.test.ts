import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { persistedQueryClient } from '../support/apq-client.js';
import { eventually } from '../support/eventually.js';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.js';
import { startStack, TEST_ADMIN_KEY, type Stack } from '../support/stack.js';
import { hostPortOf, startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { REAL_STORES_REASON, TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';

interface ModelsData {
  models: { totalCount: number };
}

/** Gateway processes start with tsx (a cold transpile) on a machine other suites keep busy. */
const GATEWAYS_START_TIMEOUT_MS = 180_000;

if (!TEST_DATABASE_URL || !TEST_REDIS_URL) {
  console.warn(`[persisted queries across replicas] Not run: ${REAL_STORES_REASON}`);
}

/**
 * Two gateway replicas, each a process of its own (`gateway/main.ts`, as production runs it), on
 * one Redis and the test stack's subgraphs. Gateway B reaches Redis through a proxy the test cuts.
 * The processes' keys carry no per-run prefix, so each document here is new (a random operation
 * name), lives 10 minutes at most, and is deleted afterwards.
 */
(TEST_DATABASE_URL && TEST_REDIS_URL ? describe : describe.skip)(
  'automatic persisted queries across gateway replicas (real stores)',
  () => {
    let stack: Stack;
    let proxy: TcpProxy;
    let gatewayA: ServiceProcess;
    let gatewayB: ServiceProcess;
    const hashes = new Set<string>();
    const uniqueQuery = () =>
      `query Replicas_${randomBytes(6).toString('hex')} { models(first: 1) { totalCount } }`;
    /** Runs `query` with a fresh Apollo Client on `gateway`; what it sent, and its data. */
    const runWithFreshClient = async (gateway: ServiceProcess, query: string) => {
      const client = persistedQueryClient(gateway.url, TEST_ADMIN_KEY);
      try {
        const data = await client.query<ModelsData>(query);
        for (const sent of client.sent) if (sent.hash) hashes.add(sent.hash);
        return { data, sent: client.sent };
      } finally {
        client.stop();
      }
    };

    beforeAll(async () => {
      stack = await startStack({ mode: 'real' });
      proxy = await startTcpProxy(hostPortOf(TEST_REDIS_URL!));
      const env = (redisUrl: string) => ({
        LOG_LEVEL: 'info',
        REDIS_URL: redisUrl,
        MODELGRAPH_INTERNAL_PRIVATE_KEY: stack.internalKeys.privateKeyPem,
        MODELGRAPH_ADMIN_KEY: TEST_ADMIN_KEY,
        MODELGRAPH_DRAIN_DELAY_MS: '0',
        MODEL_CATALOG_URL: stack.subgraphUrls['model-catalog']!,
        INFERENCE_URL: stack.subgraphUrls.inference!,
        WALLET_URL: stack.subgraphUrls.wallet!,
        POLICY_URL: stack.subgraphUrls.policy!,
        BILLING_URL: stack.subgraphUrls.billing!,
        APQ_TTL_SECONDS: '600',
      });
      [gatewayA, gatewayB] = await Promise.all([
        startServiceProcess('gateway/main.ts', env(TEST_REDIS_URL!)),
        startServiceProcess('gateway/main.ts', env(proxy.urlFor(TEST_REDIS_URL!))),
      ]);
    }, GATEWAYS_START_TIMEOUT_MS);
    afterAll(async () => {
      await gatewayA?.kill('SIGTERM');
      await gatewayB?.kill('SIGTERM');
      await proxy?.close();
      await stack?.stop();
      if (hashes.size > 0) {
        const redis = new Redis(TEST_REDIS_URL!);
        await redis.del(...[...hashes].map((hash) => `apq:${hash}`));
        redis.disconnect();
      }
    }, STACK_START_TIMEOUT_MS);

    it('serves through gateway B, by hash alone, a query registered through gateway A', async () => {
      const query = uniqueQuery();
      const registered = await runWithFreshClient(gatewayA, query);
      expect(registered.data.models.totalCount).toBeGreaterThan(0);
      const hash = registered.sent[0]?.hash;
      expect(registered.sent).toEqual([
        { method: 'POST', withDocument: false, hash },
        { method: 'POST', withDocument: true, hash },
      ]);

      const served = await runWithFreshClient(gatewayB, query);
      expect(served.data).toEqual(registered.data);
      expect(served.sent).toEqual([{ method: 'POST', withDocument: false, hash }]);
      expect(
        await gatewayB.metric('modelgraph_cache_lookups_total', { cache: 'apq', result: 'hit' }),
      ).toBe(1);
      expect(
        await gatewayA.metric('modelgraph_apq_registrations_total', { result: 'stored' }),
      ).toBe(1);
    });

    it('fails open while B cannot reach Redis: the hash misses, the full query is served', async () => {
      const query = uniqueQuery();
      await runWithFreshClient(gatewayA, query);
      proxy.down();
      try {
        const served = await runWithFreshClient(gatewayB, query);
        expect(served.data.models.totalCount).toBeGreaterThan(0);
        // Registered on A, yet B could not look it up: PERSISTED_QUERY_NOT_FOUND, then the document.
        expect(served.sent.map((sent) => sent.withDocument)).toEqual([false, true]);
        expect(
          await gatewayB.metric('modelgraph_apq_store_errors_total', { operation: 'lookup' }),
        ).toBeGreaterThanOrEqual(1);
        expect(
          await gatewayB.metric('modelgraph_apq_store_errors_total', { operation: 'register' }),
        ).toBeGreaterThanOrEqual(1);
        expect(
          gatewayB.lines.some(
            (line) => line.msg === 'persisted-query store unavailable; answering not found',
          ),
        ).toBe(true);
      } finally {
        proxy.up();
      }
      // Once ioredis has reconnected, B serves the hash alone again.
      await eventually(
        'gateway B serves the query by hash alone after Redis is back',
        async () =>
          (await runWithFreshClient(gatewayB, query)).sent.length === 1 ? true : undefined,
        { timeoutMs: 30_000, intervalMs: 200 },
      );
    });
  },
);
