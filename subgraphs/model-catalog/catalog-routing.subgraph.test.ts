import { useCatalog } from '../../test/support/catalog-subgraph.js';
import { onlyError } from '../../test/support/error-summary.js';
import { expectNoErrors } from '../../test/support/graphql-client.js';
import { orgAdmin, teamKey } from '../../test/support/identities.js';
import { STORE_MODES } from '../../test/support/test-env.js';
import { typed } from '../../test/support/typed-document.js';

type Route = { strategy: string; targets: Array<{ weight: number; model: { id: string } }> };

type Vars = Record<string, unknown>;

const REGISTER_PROVIDER = typed<
  { registerProvider: unknown },
  Vars
>(`mutation($input: RegisterProviderInput!) {
  registerProvider(input: $input) { id kind baseUrl apiKeyEnv }
}`);
const REGISTER_MODEL = typed<
  { registerModel: { provider: unknown } },
  Vars
>(`mutation($input: RegisterModelInput!) {
  registerModel(input: $input) { id provider { id displayName } }
}`);
const SET_ROUTE = typed<{ setModelRoute: unknown }, Vars>(`mutation($input: ModelRouteInput!) {
  setModelRoute(input: $input) { alias strategy description targets { weight model { id } } }
}`);
const ROUTE = typed<{ route: Route }, Vars>(`query($alias: ID!) {
  route(alias: $alias) { alias strategy description targets { weight model { id } } }
}`);

const bad = (field: string) => ({ code: 'BAD_USER_INPUT', field });

describe.each(STORE_MODES)('model-catalog providers and routes (%s stores)', (mode) => {
  const catalog = useCatalog(mode);
  const admin = () => catalog.subgraph.as(orgAdmin());
  const reader = () => catalog.subgraph.as(teamKey('team-a', ['models:read']));

  describe('registerProvider', () => {
    const provider = (over: Vars = {}) => ({
      id: 'acme',
      displayName: 'Acme',
      kind: 'OPENAI_COMPATIBLE',
      baseUrl: 'https://api.acme.test/v1/',
      apiKeyEnv: 'ACME_API_KEY',
      ...over,
    });

    it('adds a provider that models can then be registered under', async () => {
      const created = await admin()(REGISTER_PROVIDER, { variables: { input: provider() } });
      expect(expectNoErrors(created).registerProvider).toEqual({
        id: 'acme',
        kind: 'OPENAI_COMPATIBLE',
        baseUrl: 'https://api.acme.test/v1',
        apiKeyEnv: 'ACME_API_KEY',
      });
      const input = {
        id: 'acme/chat',
        providerId: 'acme',
        displayName: 'Acme chat',
        capabilities: ['CHAT'],
        contextWindow: 100,
        maxOutputTokens: 10,
        price: { inputPerMillion: '1', outputPerMillion: '1' },
      };
      const model = expectNoErrors(await admin()(REGISTER_MODEL, { variables: { input } }));
      expect(model.registerModel.provider).toEqual({ id: 'acme', displayName: 'Acme' });
      const providers = expectNoErrors(
        await reader()<{ providers: Array<{ id: string }> }>('{ providers { id } }'),
      ).providers;
      expect(providers.map((p) => p.id)).toEqual(['acme', 'anthropic', 'local', 'openai']);
    });

    it.each<[string, Vars, Vars]>([
      ['a taken id', { id: 'openai' }, { code: 'CONFLICT', field: 'id' }],
      ['a malformed id', { id: 'Acme!' }, bad('id')],
      ['a baseUrl that is not http(s)', { id: 'acme2', baseUrl: 'file:///etc' }, bad('baseUrl')],
      ['no baseUrl for a remote provider', { id: 'acme3', baseUrl: null }, bad('baseUrl')],
      ['a bad apiKeyEnv', { id: 'acme4', apiKeyEnv: 'lower' }, bad('apiKeyEnv')],
    ])('refuses %s', async (_case, over, error) => {
      const response = await admin()(REGISTER_PROVIDER, { variables: { input: provider(over) } });
      expect(onlyError(response)).toEqual(error);
    });

    it('is for organization admins only', async () => {
      const input = provider({ id: 'acme5' });
      const response = await reader()(REGISTER_PROVIDER, { variables: { input } });
      expect(onlyError(response)).toEqual({ code: 'FORBIDDEN' });
      const lookup = await admin()('{ provider(id: "acme5") { id } }');
      expect(onlyError(lookup)).toEqual({ code: 'NOT_FOUND' });
    });
  });

  describe('setModelRoute', () => {
    const route = (
      strategy: string,
      targets: Vars[],
      description?: string,
      alias = 'test-route',
    ) => ({
      input: { alias, strategy, targets, description },
    });
    const weighted = [
      { modelId: 'local/echo-chat', weight: 3 },
      { modelId: 'anthropic/claude-3-5-haiku', weight: 0 },
    ];
    beforeAll(async () => {
      expectNoErrors(await admin()(SET_ROUTE, { variables: route('WEIGHTED', weighted) }));
    });

    it('creates a route, then replaces it whole', async () => {
      const fallback = [
        { modelId: 'openai/gpt-4o-mini' },
        { modelId: 'local/echo-chat', weight: 5 },
      ];
      const created = await admin()(SET_ROUTE, {
        variables: route('FALLBACK', fallback, undefined, 'new-route'),
      });
      expect(expectNoErrors(created).setModelRoute).toEqual({
        alias: 'new-route',
        strategy: 'FALLBACK',
        description: '',
        targets: [
          { weight: 1, model: { id: 'openai/gpt-4o-mini' } },
          { weight: 5, model: { id: 'local/echo-chat' } },
        ],
      });

      const replacement = route('WEIGHTED', weighted, ' Mixed ', 'new-route');
      expectNoErrors(await admin()(SET_ROUTE, { variables: replacement }));
      const data = expectNoErrors(await reader()(ROUTE, { variables: { alias: 'new-route' } }));
      expect(data.route).toEqual({
        alias: 'new-route',
        strategy: 'WEIGHTED',
        description: 'Mixed',
        targets: [
          { weight: 3, model: { id: 'local/echo-chat' } },
          { weight: 0, model: { id: 'anthropic/claude-3-5-haiku' } },
        ],
      });
      const routes = expectNoErrors(
        await reader()<{ routes: Array<{ alias: string }> }>('{ routes { alias } }'),
      ).routes;
      expect(routes.map((r) => r.alias)).toEqual([
        'chat-default',
        'demo-chat',
        'embed-default',
        'new-route',
        'test-route',
      ]);
    });

    it('keeps the order targets were given in, not id order', async () => {
      const targets = ['openai/gpt-4o', 'anthropic/claude-sonnet-4', 'local/echo-chat'];
      const input = route(
        'LOWEST_COST',
        targets.map((modelId) => ({ modelId })),
        'x',
        'ordered',
      );
      expectNoErrors(await admin()(SET_ROUTE, { variables: input }));
      const data = expectNoErrors(await reader()(ROUTE, { variables: { alias: 'ordered' } }));
      expect(data.route.targets.map((t) => t.model.id)).toEqual(targets);
    });

    const echo = { modelId: 'local/echo-chat' };
    it.each<[string, Vars, Vars]>([
      [
        'an unknown model',
        route('FALLBACK', [echo, { modelId: 'local/nope' }]),
        bad('targets.modelId'),
      ],
      ['a duplicate target', route('FALLBACK', [echo, echo]), bad('targets')],
      [
        'all weights zero under WEIGHTED',
        route('WEIGHTED', [{ ...echo, weight: 0 }]),
        bad('targets'),
      ],
      [
        'a weight above 1000',
        route('WEIGHTED', [{ ...echo, weight: 1001 }]),
        bad('targets.weight'),
      ],
      ['no targets', route('FALLBACK', []), bad('targets')],
      ['an alias that is a model id', route('FALLBACK', [echo], 'x', 'local/echo'), bad('alias')],
    ])('refuses %s and keeps the route as it was', async (_case, variables, error) => {
      expect(onlyError(await admin()(SET_ROUTE, { variables }))).toEqual(error);
      const data = expectNoErrors(await reader()(ROUTE, { variables: { alias: 'test-route' } }));
      expect(data.route.strategy).toBe('WEIGHTED');
      expect(data.route.targets).toEqual([
        { weight: 3, model: { id: 'local/echo-chat' } },
        { weight: 0, model: { id: 'anthropic/claude-3-5-haiku' } },
      ]);
    });

    it('is for organization admins only', async () => {
      const response = await reader()(SET_ROUTE, { variables: route('FALLBACK', [echo]) });
      expect(onlyError(response)).toEqual({ code: 'FORBIDDEN' });
    });
  });
});
