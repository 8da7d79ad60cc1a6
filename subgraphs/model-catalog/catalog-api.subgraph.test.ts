import { encodeCursor } from '../../lib/graphql/pagination.js';
import { startCatalog, type RunningCatalog } from '../../test/support/catalog-subgraph.js';
import { errorsOf } from '../../test/support/error-summary.js';
import { expectErrorCode, expectNoErrors } from '../../test/support/graphql-client.js';
import { orgAdmin, teamKey, teamUser } from '../../test/support/identities.js';
import { STORE_MODES } from '../../test/support/test-env.js';
import { typed } from '../../test/support/typed-document.js';
import { STACK_START_TIMEOUT_MS } from '../../test/support/timeouts.js';

interface ModelPage {
  totalCount: number;
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  edges: Array<{ cursor: string; node: { id: string } }>;
}

const LIST = `query($filter: ModelFilter, $first: Int, $after: String) {
  models(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id } }
  }
}`;
const idsOf = (page: ModelPage) => page.edges.map((e) => e.node.id);

// The deployed seed plus one PREVIEW model; openai/gpt-4o is deprecated in beforeAll.
const ALL_IDS = [
  'anthropic/claude-3-5-haiku',
  'anthropic/claude-sonnet-4',
  'local/echo-chat',
  'local/hash-embed',
  'local/preview-chat',
  'openai/gpt-4o',
  'openai/gpt-4o-mini',
  'openai/text-embedding-3-small',
];

describe.each(STORE_MODES)('model-catalog reads (%s stores)', (mode) => {
  let catalog: RunningCatalog;
  const reader = () => catalog.subgraph.as(teamKey('team-a', ['models:read']));
  const admin = () => catalog.subgraph.as(orgAdmin());
  const noRead = () => catalog.subgraph.as(teamKey('team-a', ['wallet:read']));
  const list = async (variables: Record<string, unknown>) =>
    expectNoErrors(await reader()<{ models: ModelPage }>(LIST, { variables })).models;

  beforeAll(async () => {
    catalog = await startCatalog(mode);
    expectNoErrors(
      await admin()(
        `mutation($sunset: DateTime) {
          registerModel(input: { id: "local/preview-chat", providerId: "local", displayName: "P",
            capabilities: [CHAT], contextWindow: 4096, maxOutputTokens: 512, tags: ["demo"],
            status: PREVIEW, price: { inputPerMillion: "1", outputPerMillion: "2" } }) { id }
          deprecateModel(id: "openai/gpt-4o", sunsetAt: $sunset,
            replacementId: "openai/gpt-4o-mini") { id }
        }`,
        { variables: { sunset: new Date(Date.now() + 30 * 86_400_000).toISOString() } },
      ),
    );
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await catalog?.stop();
  });

  describe('filtering', () => {
    it.each<[string, Record<string, unknown>, string[]]>([
      ['nothing', {}, ALL_IDS],
      [
        'capabilities: all of them',
        { capabilities: ['VISION', 'JSON_MODE'] },
        ['openai/gpt-4o', 'openai/gpt-4o-mini'],
      ],
      [
        'capabilities: EMBEDDING',
        { capabilities: ['EMBEDDING'] },
        ['local/hash-embed', 'openai/text-embedding-3-small'],
      ],
      ['providers: any of them', { providers: ['anthropic', 'local'] }, ALL_IDS.slice(0, 5)],
      [
        'lifecycle: any of them',
        { lifecycle: ['PREVIEW', 'DEPRECATED'] },
        ['local/preview-chat', 'openai/gpt-4o'],
      ],
      ['lifecycle: RETIRED', { lifecycle: ['RETIRED'] }, []],
      [
        'tags: all of them',
        { tags: ['local', 'deterministic'] },
        ['local/echo-chat', 'local/hash-embed'],
      ],
      [
        'tags: one',
        { tags: ['demo'] },
        ['local/echo-chat', 'local/hash-embed', 'local/preview-chat'],
      ],
      ['minContextWindow', { minContextWindow: 128_001 }, ALL_IDS.slice(0, 2)],
      [
        'minContextWindow, inclusive',
        { minContextWindow: 128_000 },
        [...ALL_IDS.slice(0, 2), 'openai/gpt-4o', 'openai/gpt-4o-mini'],
      ],
      [
        'every condition at once',
        { capabilities: ['CHAT'], providers: ['local', 'openai'], minContextWindow: 8192 },
        ['local/echo-chat', 'openai/gpt-4o', 'openai/gpt-4o-mini'],
      ],
      ['an unknown provider', { providers: ['nobody'] }, []],
    ])('by %s', async (_case, filter, expected) => {
      const page = await list({ filter, first: 100 });
      expect(idsOf(page)).toEqual(expected);
      expect(page.totalCount).toBe(expected.length);
      expect(page.pageInfo.hasNextPage).toBe(false);
    });
  });

  describe('pagination', () => {
    const walk = async (first: number, filter?: Record<string, unknown>) => {
      const pages: ModelPage[] = [];
      let after: string | null = null;
      do {
        const page: ModelPage = await list({ filter, first, after });
        pages.push(page);
        after = page.pageInfo.endCursor;
      } while (pages.at(-1)?.pageInfo.hasNextPage && pages.length < 20);
      return pages;
    };

    it('walks every model once, in id order, with a stable totalCount', async () => {
      const pages = await walk(3);
      expect(pages.map(idsOf)).toEqual([
        ALL_IDS.slice(0, 3),
        ALL_IDS.slice(3, 6),
        ALL_IDS.slice(6),
      ]);
      expect(pages.map((p) => p.totalCount)).toEqual([8, 8, 8]);
      expect(pages.map((p) => p.pageInfo.hasPreviousPage)).toEqual([false, true, true]);
      expect(pages.map((p) => p.pageInfo.hasNextPage)).toEqual([true, true, false]);
      for (const page of pages) {
        expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor);
        expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor);
      }
    });

    it('ends with hasNextPage false when the last page is exactly full', async () => {
      const pages = await walk(4);
      expect(pages.map((p) => [p.edges.length, p.pageInfo.hasNextPage])).toEqual([
        [4, true],
        [4, false],
      ]);
    });

    it('walks a filtered list', async () => {
      const pages = await walk(1, { providers: ['openai'] });
      expect(pages.map(idsOf)).toEqual([
        ['openai/gpt-4o'],
        ['openai/gpt-4o-mini'],
        ['openai/text-embedding-3-small'],
      ]);
      expect(pages.map((p) => p.totalCount)).toEqual([3, 3, 3]);
    });

    it('answers first: 0 with no edges, null cursors and the count', async () => {
      expect(await list({ first: 0 })).toEqual({
        totalCount: 8,
        pageInfo: { hasNextPage: true, hasPreviousPage: false, startCursor: null, endCursor: null },
        edges: [],
      });
    });

    it('defaults to 20 a page', async () => {
      expect(idsOf(await list({}))).toEqual(ALL_IDS);
    });

    it('pages a provider’s models', async () => {
      const data = expectNoErrors(
        await reader()<{ provider: { models: ModelPage } }>(
          '{ provider(id: "local") { models(first: 2) { totalCount pageInfo { hasNextPage } edges { node { id } } } } }',
        ),
      );
      expect(data.provider.models.totalCount).toBe(3);
      expect(data.provider.models.pageInfo.hasNextPage).toBe(true);
      expect(idsOf(data.provider.models)).toEqual(['local/echo-chat', 'local/hash-embed']);
    });

    it.each<[string, Record<string, unknown>]>([
      ['first: 101', { first: 101 }],
      ['first: -1', { first: -1 }],
      ['a garbage cursor', { after: 'garbage' }],
      ['a cursor of another list', { after: encodeCursor('ledger', ['openai/gpt-4o']) }],
    ])('rejects %s with BAD_USER_INPUT', async (_case, variables) => {
      const response = await reader()(LIST, { variables });
      expect(errorsOf(response)).toEqual([{ code: 'BAD_USER_INPUT', path: ['models'] }]);
      expect(response.body.data).toBeNull();
    });
  });

  describe('single lookups', () => {
    it.each<[string, string, string]>([
      ['an unknown model', '{ model(id: "openai/nope") { id } }', 'NOT_FOUND'],
      ['a malformed model id', '{ model(id: "BAD ID") { id } }', 'BAD_USER_INPUT'],
      ['an unknown provider', '{ provider(id: "nope") { id } }', 'NOT_FOUND'],
      ['an unknown route', '{ route(alias: "nope") { alias } }', 'NOT_FOUND'],
      ['a malformed route alias', '{ route(alias: "Not/An Alias") { alias } }', 'NOT_FOUND'],
    ])('answers %s with %s and null', async (_case, query, code) => {
      const response = await reader()(query);
      expect(errorsOf(response).map((e) => e.code)).toEqual([code]);
      expect(Object.values(response.body.data ?? {})).toEqual([null]);
    });

    it('returns a model with its provider, price and lifecycle', async () => {
      const data = expectNoErrors(
        await reader()<{ model: unknown }>(`{ model(id: "openai/gpt-4o") { id provider { id kind }
          pricing { version inputPerMillion outputPerMillion effectiveUntil }
          lifecycle { status replacement { id } } } }`),
      );
      expect(data.model).toEqual({
        id: 'openai/gpt-4o',
        provider: { id: 'openai', kind: 'OPENAI_COMPATIBLE' },
        pricing: {
          version: 1,
          inputPerMillion: '2500000',
          outputPerMillion: '10000000',
          effectiveUntil: null,
        },
        lifecycle: { status: 'DEPRECATED', replacement: { id: 'openai/gpt-4o-mini' } },
      });
    });

    it('returns a seeded route’s targets in priority order', async () => {
      const data = expectNoErrors(
        await reader()<{ route: { targets: unknown } }>(
          '{ route(alias: "chat-default") { strategy targets { weight model { id } } } }',
        ),
      );
      expect(data.route.targets).toEqual([
        { weight: 1, model: { id: 'openai/gpt-4o-mini' } },
        { weight: 1, model: { id: 'anthropic/claude-3-5-haiku' } },
        { weight: 1, model: { id: 'local/echo-chat' } },
      ]);
    });
  });

  describe('permissions', () => {
    const PROVIDER = typed<{ provider: unknown }>(
      '{ provider(id: "openai") { id displayName baseUrl apiKeyEnv } }',
    );

    it('shows where a provider lives and its key variable to an admin', async () => {
      expect(expectNoErrors(await admin()(PROVIDER)).provider).toEqual({
        id: 'openai',
        displayName: 'OpenAI',
        baseUrl: 'https://api.openai.com/v1',
        apiKeyEnv: 'OPENAI_API_KEY',
      });
    });

    it('hides baseUrl and apiKeyEnv from a member but answers the rest', async () => {
      const response = await catalog.subgraph.as(teamUser('team-a', 'MEMBER'))(PROVIDER);
      expect(response.body.data?.provider).toEqual({
        id: 'openai',
        displayName: 'OpenAI',
        baseUrl: null,
        apiKeyEnv: null,
      });
      expect(errorsOf(response)).toEqual([
        { code: 'FORBIDDEN', path: ['provider', 'baseUrl'] },
        { code: 'FORBIDDEN', path: ['provider', 'apiKeyEnv'] },
      ]);
    });

    it.each([
      '{ models { totalCount } }',
      '{ model(id: "local/echo-chat") { id } }',
      '{ providers { id } }',
      '{ routes { alias } }',
      '{ route(alias: "chat-default") { alias } }',
    ])('refuses %s to a principal without models:read', async (query) => {
      const response = await noRead()(query);
      expect(errorsOf(response).map((e) => e.code)).toEqual(['FORBIDDEN']);
      // Null in place of the field: `data` itself for a non-null field, `{ field: null }` otherwise.
      expect(Object.values(response.body.data ?? { field: null })).toEqual([null]);
    });

    it('refuses registerModel to a key holding models:read, and registers nothing', async () => {
      const response = await reader()(
        `mutation { registerModel(input: { id: "local/sneaky", providerId: "local", displayName: "S",
          capabilities: [CHAT], contextWindow: 10, maxOutputTokens: 1,
          price: { inputPerMillion: "0", outputPerMillion: "0" } }) { id } }`,
      );
      expect(errorsOf(response)).toEqual([{ code: 'FORBIDDEN', path: ['registerModel'] }]);
      expectErrorCode(await admin()('{ model(id: "local/sneaky") { id } }'), 'NOT_FOUND');
    });
  });
});
