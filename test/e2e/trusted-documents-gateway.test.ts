import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gql as parse, type TypedDocumentNode } from '@apollo/client';
import { DEFAULT_PERSISTED_QUERIES } from '../../gateway/persisted-queries/persisted-query-cache.js';
import { DEFAULT_USAGE_SETTINGS } from '../../gateway/usage/usage-recorder.js';
import { DEFAULT_OPERATION_LIMITS } from '../../gateway/plugins/operation-limits.js';
import { createGateway, type Gateway, type GatewayDeps } from '../../gateway/server.js';
import type { TrustedDocumentsMode } from '../../gateway/trusted-documents/trusted-documents.js';
import { ISSUERS, createInternalTokenSigner } from '../../lib/auth/internal-token.js';
import { expectErrorCode, expectNoErrors, gql } from '../support/graphql-client.js';
import { createCallingTeam, type CallingTeam } from '../support/inference-setup.js';
import { createRecordingLogger } from '../support/recording-logger.js';
import { scrapeMetric } from '../support/scrape-metric.js';
import { startStack, TEST_ADMIN_KEY, type Stack } from '../support/stack.js';
import { subscribeWithApollo } from '../support/stream-clients.js';
import { STORE_MODES } from '../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';
import {
  PUBLISH,
  generateManifest,
  persistedQueryClient,
  persistedQueryLink,
  type GeneratedManifest,
} from '../support/trusted-documents.js';

interface Catalog {
  models: { edges: Array<{ node: { id: string; access: { allowed: boolean } } }> };
}
const CATALOG: TypedDocumentNode<Catalog, { first?: number }> = parse(
  readFileSync(
    new URL('../fixtures/trusted-client/src/model-catalog.graphql', import.meta.url),
    'utf8',
  ),
);
const CLIENT = { name: 'catalog-web', version: '1.0.0' };
const clientHeaders = (name = CLIENT.name) => ({
  'apollographql-client-name': name,
  'apollographql-client-version': '7.0.0',
});
const UNREGISTERED = 'query Unregistered { viewer { id } }';
const byId = (id: string) => ({ persistedQuery: { version: 1, sha256Hash: id } });
const MESSAGES = { model: 'demo-chat', messages: [{ role: 'USER', content: 'Hello' }] };

/** Sends a raw GraphQL POST body (id only, query and id, ...) as some client. */
const post = (url: string, token: string, body: object, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, headers: r.headers, body: await r.json() }));

describe.each(STORE_MODES)('trusted documents at the gateway (%s stores)', (mode) => {
  let stack: Stack;
  let generated: GeneratedManifest;
  let team: CallingTeam;
  const extra: Record<'off' | 'log', { gateway: Gateway; url: string; base: string }> = {} as never;
  const logMode = createRecordingLogger('warn');

  /** Another gateway over the same subgraphs (over HTTP), in another trusted-documents mode. */
  const startGateway = async (trusted: TrustedDocumentsMode, logger = logMode.logger) => {
    const gateway = createGateway({
      config: {
        production: false,
        orgId: 'default',
        adminKey: TEST_ADMIN_KEY,
        supergraphPath: new URL('../../schema/supergraph.graphql', import.meta.url).pathname,
        subgraphUrls: stack.subgraphUrls as GatewayDeps['config']['subgraphUrls'],
        oidc: undefined,
        maxBodyBytes: 1024 * 1024,
        limits: DEFAULT_OPERATION_LIMITS,
        trustedDocuments: { mode: trusted, cacheBytes: 1024 * 1024, negativeTtlMs: 5_000 },
        persistedQueries: DEFAULT_PERSISTED_QUERIES,
        usage: DEFAULT_USAGE_SETTINGS,
      },
      kv: stack.kv,
      signer: await createInternalTokenSigner({
        privateKeyPem: stack.internalKeys.privateKeyPem,
        issuer: ISSUERS.gateway,
      }),
      logger,
    });
    await gateway.start();
    const base = `http://127.0.0.1:${await gateway.listen(0)}`;
    return { gateway, base, url: `${base}/graphql` };
  };

  beforeAll(async () => {
    [stack, generated] = await Promise.all([
      startStack({
        mode,
        gateway: {
          trustedDocuments: { mode: 'require', cacheBytes: 1024 * 1024, negativeTtlMs: 5_000 },
        },
      }),
      generateManifest(),
    ]);
    expectNoErrors(
      await stack.request(PUBLISH, {
        token: TEST_ADMIN_KEY,
        variables: {
          input: { clientName: CLIENT.name, clientVersion: '1.0.0', manifest: generated.manifest },
        },
      }),
    );
    team = await createCallingTeam(stack, { name: 'Trusting' });
    extra.off = await startGateway('off', createRecordingLogger('silent').logger);
    extra.log = await startGateway('log');
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await Promise.all(Object.values(extra).map((g) => g.gateway.stop()));
    await stack?.stop();
    await generated?.remove();
  });

  const catalogId = () => generated.operation('ModelCatalog').id;

  describe('require', () => {
    it.each([false, true])(
      'runs a registered operation sent by id with Apollo Client 4 (GET: %s), at any client version',
      async (useGET) => {
        const { client, sent } = persistedQueryClient({
          url: stack.url,
          token: team.key,
          manifest: generated.manifest,
          client: { name: CLIENT.name, version: '3.1.4' },
          useGETForHashedQueries: useGET,
        });
        const { data } = await client.query({ query: CATALOG, variables: { first: 3 } });
        expect(data?.models.edges).toHaveLength(3);
        expect(data?.models.edges[0].node.access).toEqual(
          expect.objectContaining({ allowed: true }),
        );
        expect(sent).toHaveLength(1);
        const request = sent[0]!;
        expect(request.method).toBe(useGET ? 'GET' : 'POST');
        const carried = useGET
          ? JSON.parse(new URL(request.url).searchParams.get('extensions') ?? '{}')
          : (request.body as { extensions: unknown; query?: string }).extensions;
        expect(carried).toMatchObject(byId(catalogId()));
        expect(
          useGET ? new URL(request.url).searchParams.has('query') : (request.body as object),
        ).not.toHaveProperty('query');
      },
    );

    it('streams a registered subscription sent by id, over multipart and Server-Sent Events', async () => {
      const subscription = generated.operation('GenerateStream');
      const recording = subscribeWithApolloById(subscription.body);
      await recording.ended;
      expect(recording.outcomes.at(-1)).toEqual({
        data: { generateStream: expect.objectContaining({ __typename: 'GenerationCompleted' }) },
      });

      const response = await postSse({
        extensions: byId(subscription.id),
        variables: { input: MESSAGES },
      });
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      expect(await response.text()).toContain('"__typename":"GenerationCompleted"');

      const refused = await postSse({
        query: subscription.body.replace('text', 'text generationId'),
        variables: { input: MESSAGES },
      });
      const events = await refused.text();
      expect(events).toContain('PERSISTED_QUERY_NOT_IN_LIST');
      expect(events).not.toContain('GenerationDelta');
    });

    /** A GraphQL request over Server-Sent Events, as the fixture client. */
    function postSse(body: object) {
      return fetch(stack.url, {
        method: 'POST',
        headers: {
          accept: 'text/event-stream',
          'content-type': 'application/json',
          authorization: `Bearer ${team.key}`,
          ...clientHeaders(),
        },
        body: JSON.stringify(body),
      });
    }

    /** Apollo Client 4 subscribing by id: the persisted-queries link ahead of HttpLink. */
    function subscribeWithApolloById(body: string) {
      return subscribeWithApollo(
        stack.url,
        team.key,
        body,
        { input: MESSAGES },
        { link: persistedQueryLink(generated.manifest), clientAwareness: CLIENT },
      );
    }

    it('refuses an unknown id, an id of another client, and a full query not registered', async () => {
      const unknown = randomBytes(32).toString('hex');
      for (const [id, headers] of [
        [unknown, clientHeaders()],
        [catalogId(), clientHeaders('billing-portal')],
        [catalogId(), {}],
      ] as const) {
        const answer = await post(stack.url, team.key, { extensions: byId(id) }, headers);
        expect(answer.status).toBe(200);
        expect(answer.headers.get('cache-control')).toContain('no-cache');
        expect(answer.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_UNKNOWN_ID');
        expect(answer.body.data).toBeUndefined();
      }
      expectErrorCode(
        await gql(stack.url, UNREGISTERED, { token: team.key, headers: clientHeaders() }),
        'PERSISTED_QUERY_NOT_IN_LIST',
      );
      // The registered text itself, sent in full, runs.
      expectNoErrors(
        await gql(stack.url, generated.operation('Viewer').body, {
          token: team.key,
          headers: clientHeaders(),
        }),
      );

      // Apollo Client 4 gets the code, and does not fall back to sending the text.
      const { client, sent } = persistedQueryClient({
        url: stack.url,
        token: team.key,
        manifest: {
          ...generated.manifest,
          operations: [{ ...generated.operation('ModelCatalog'), id: unknown }],
        },
        client: CLIENT,
      });
      const result = await client.query({ query: CATALOG, errorPolicy: 'all' });
      expect(JSON.stringify(result.error)).toContain('PERSISTED_QUERY_UNKNOWN_ID');
      expect(sent).toHaveLength(1);
    });

    it('does not let automatic persisted queries register an unregistered operation', async () => {
      const apq = { version: 1, sha256Hash: sha256(UNREGISTERED) };
      const register = await post(
        stack.url,
        team.key,
        { query: UNREGISTERED, extensions: { persistedQuery: apq } },
        clientHeaders(),
      );
      expect(register.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
      const replay = await post(
        stack.url,
        team.key,
        { extensions: { persistedQuery: apq } },
        clientHeaders(),
      );
      expect(replay.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_UNKNOWN_ID');
    });

    it('lets organization admins run anything, automatic persisted queries included', async () => {
      expectNoErrors(await gql(stack.url, UNREGISTERED, { token: TEST_ADMIN_KEY }));
      const text = 'query AdminOnly { viewer { id roles } }';
      const apq = { persistedQuery: { version: 1, sha256Hash: sha256(text) } };
      const first = await post(stack.url, TEST_ADMIN_KEY, { extensions: apq });
      expect(first.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      expect(
        (await post(stack.url, TEST_ADMIN_KEY, { query: text, extensions: apq })).body.data,
      ).toBeTruthy();
      expect(
        (await post(stack.url, TEST_ADMIN_KEY, { extensions: apq })).body.data?.viewer.id,
      ).toBe('admin');
    });

    it('leaves the OpenAI-compatible /v1 facade alone: it runs the platform’s own documents', async () => {
      const response = await fetch(`${stack.gatewayBase}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${team.key}` },
        body: JSON.stringify({ model: 'demo-chat', messages: [{ role: 'user', content: 'Hi' }] }),
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { object: string }).object).toBe('chat.completion');
    });
  });

  it('log: serves what is not registered, logs and counts it, and still resolves ids', async () => {
    const { url, base } = extra.log;
    const metric = () =>
      scrapeMetric(`${base}/metrics`, 'modelgraph_gateway_unregistered_operations_total', {
        kind: 'query',
        action: 'served',
      });
    const before = await metric();
    expectNoErrors(await gql(url, UNREGISTERED, { token: team.key, headers: clientHeaders() }));
    expect(await metric()).toBe(before + 1);
    expect(logMode.lines).toContainEqual(
      expect.objectContaining({
        msg: 'operation not registered for its client',
        trustedDocuments: 'log',
        kind: 'query',
        documentId: sha256(UNREGISTERED),
        client: { name: CLIENT.name, version: '7.0.0' },
      }),
    );
    const answer = await post(url, team.key, { extensions: byId(catalogId()) }, clientHeaders());
    expect(answer.body.data?.models.totalCount).toBeGreaterThan(0);
  });

  it('off: serves everything as before, resolves registered ids, leaves unknown ids to APQ', async () => {
    const { url } = extra.off;
    expectNoErrors(await gql(url, UNREGISTERED, { token: team.key }));
    const resolved = await post(url, team.key, { extensions: byId(catalogId()) });
    expect(resolved.body.data?.models.totalCount).toBeGreaterThan(0);
    const unknown = await post(url, team.key, {
      extensions: byId(randomBytes(32).toString('hex')),
    });
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
