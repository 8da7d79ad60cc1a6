import { useCatalog } from '../../test/support/catalog-subgraph.js';
import { onlyError } from '../../test/support/error-summary.js';
import { expectErrorCode, expectNoErrors } from '../../test/support/graphql-client.js';
import { orgAdmin, teamKey, teamUser } from '../../test/support/identities.js';
import { STORE_MODES } from '../../test/support/test-env.js';
import { typed, type Operation } from '../../test/support/typed-document.js';

const HOUR = 3_600_000;
const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
type Vars = Record<string, unknown>;
type ModelIds = { models: { edges: Array<{ node: { id: string } }> } };
type Lifecycle = { status: string; deprecatedAt: string | null; sunsetAt: string | null };

const REGISTER = typed<{ registerModel: unknown }, Vars>(`mutation($input: RegisterModelInput!) {
  registerModel(input: $input) {
    id providerModel tags provider { id } lifecycle { status } pricing { version inputPerMillion }
  }
}`);
const UPDATE = typed<
  { updateModel: unknown },
  Vars
>(`mutation($id: ID!, $input: UpdateModelInput!) {
  updateModel(id: $id, input: $input) { id displayName }
}`);
const DEPRECATE = typed<
  { deprecateModel: { lifecycle: Lifecycle } },
  Vars
>(`mutation($id: ID!, $sunsetAt: DateTime, $replacementId: ID) {
  deprecateModel(id: $id, sunsetAt: $sunsetAt, replacementId: $replacementId) {
    lifecycle { status deprecatedAt sunsetAt replacement { id } }
  }
}`);
const PRICES = typed<
  { model: { current: unknown; atNow: unknown; later: unknown; priceHistory: unknown } },
  Vars
>(`query($id: ID!, $now: DateTime, $later: DateTime) {
  model(id: $id) {
    current: pricing { version }
    atNow: pricing(at: $now) { version inputPerMillion }
    later: pricing(at: $later) { version inputPerMillion }
    priceHistory { version inputPerMillion effectiveFrom effectiveUntil }
  }
}`);

const chatModel = (id: string, over: Vars = {}) => ({
  id,
  providerId: id.split('/')[0],
  displayName: id,
  capabilities: ['CHAT'],
  contextWindow: 1000,
  maxOutputTokens: 100,
  price: { inputPerMillion: '100', outputPerMillion: '200' },
  ...over,
});
const price = (inputPerMillion: string, outputPerMillion = '1', effectiveFrom?: string) => ({
  price: { inputPerMillion, outputPerMillion, effectiveFrom },
});
const bad = (field?: string) =>
  field ? { code: 'BAD_USER_INPUT', field } : { code: 'BAD_USER_INPUT' };

describe.each(STORE_MODES)('model-catalog model mutations (%s stores)', (mode) => {
  const catalog = useCatalog(mode);
  const admin = () => catalog.subgraph.as(orgAdmin());
  const reader = () => catalog.subgraph.as(teamKey('team-a', ['models:read']));
  const register = async (input: Vars) =>
    expectNoErrors(await admin()(REGISTER, { variables: { input } })).registerModel;
  const read = async <R>(query: Operation<R, Vars>, variables?: Vars) =>
    expectNoErrors(await reader()(query, { variables }));

  afterEach(() => catalog.setClockOffset(0));

  describe('registerModel', () => {
    it('registers a model with its first price, visible to readers', async () => {
      expect(await register(chatModel('local/tiny', { tags: ['b', 'a', 'b'] }))).toEqual({
        id: 'local/tiny',
        providerModel: 'tiny',
        tags: ['a', 'b'],
        provider: { id: 'local' },
        lifecycle: { status: 'ACTIVE' },
        pricing: { version: 1, inputPerMillion: '100' },
      });
      const data = await read<ModelIds>(
        '{ models(filter: { tags: ["a"] }) { edges { node { id } } } }',
      );
      expect(data.models.edges).toEqual([{ node: { id: 'local/tiny' } }]);
    });

    it.each<[string, Vars, Vars]>([
      ['an unknown provider', { providerId: 'nobody', id: 'nobody/x' }, bad('providerId')],
      ['an id of another provider', { id: 'openai/x' }, bad('id')],
      ['a taken id', { id: 'local/echo-chat' }, { code: 'CONFLICT', field: 'id' }],
      ['a negative price', price('-1'), bad('price.inputPerMillion')],
      ['a fractional price', price('1.5'), bad()],
      ['a price starting later', price('1', '1', iso(HOUR)), bad('price.effectiveFrom')],
      ['a date without a time zone', price('1', '1', '2026-01-01T00:00:00'), bad()],
      ['EMBEDDING without dimensions', { capabilities: ['EMBEDDING'] }, bad('embeddingDimensions')],
    ])('refuses %s and registers nothing', async (_case, over, error) => {
      const input = chatModel('local/refused', over);
      expect(onlyError(await admin()(REGISTER, { variables: { input } }))).toEqual(error);
      expectErrorCode(await reader()('{ model(id: "local/refused") { id } }'), 'NOT_FOUND');
    });
  });

  describe('updateModel', () => {
    it('schedules a future price without changing today’s', async () => {
      await register(chatModel('local/priced'));
      const effectiveFrom = iso(HOUR);
      const input = { displayName: 'Priced', ...price('300', '600', effectiveFrom) };
      const updated = await admin()(UPDATE, { variables: { id: 'local/priced', input } });
      expect(expectNoErrors(updated).updateModel).toEqual({
        id: 'local/priced',
        displayName: 'Priced',
      });

      const variables = { id: 'local/priced', now: iso(0), later: iso(2 * HOUR) };
      const { model } = await read(PRICES, variables);
      expect(model.current).toEqual({ version: 1 });
      expect(model.atNow).toEqual({ version: 1, inputPerMillion: '100' });
      expect(model.later).toEqual({ version: 2, inputPerMillion: '300' });
      expect(model.priceHistory).toEqual([
        {
          version: 1,
          inputPerMillion: '100',
          effectiveFrom: expect.any(String),
          effectiveUntil: effectiveFrom,
        },
        { version: 2, inputPerMillion: '300', effectiveFrom, effectiveUntil: null },
      ]);

      // Without `at`, pricing uses the catalog's clock: two hours on, the new price is in force.
      catalog.setClockOffset(2 * HOUR);
      expect((await read(PRICES, variables)).model.current).toEqual({ version: 2 });
    });

    it('answers a price asked for before the model existed with BAD_USER_INPUT', async () => {
      const response = await reader()(
        '{ model(id: "local/echo-chat") { pricing(at: "2000-01-01T00:00:00Z") { version } } }',
      );
      expect(onlyError(response)).toEqual(bad());
    });

    it.each<[string, string, Vars, Vars]>([
      [
        'a price change in the past',
        'local/echo-chat',
        price('1', '1', iso(-HOUR)),
        bad('price.effectiveFrom'),
      ],
      ['a negative price', 'local/echo-chat', price('1', '-1'), bad('price.outputPerMillion')],
      [
        'maxOutputTokens above the context',
        'local/echo-chat',
        { maxOutputTokens: 8193 },
        bad('maxOutputTokens'),
      ],
      ['status DEPRECATED', 'local/echo-chat', { status: 'DEPRECATED' }, bad('status')],
      ['an unknown model', 'local/nope', { displayName: 'x' }, { code: 'NOT_FOUND' }],
      ['a malformed id', 'BAD ID', { displayName: 'x' }, bad('id')],
    ])('refuses %s and changes nothing', async (_case, id, input, error) => {
      expect(onlyError(await admin()(UPDATE, { variables: { id, input } }))).toEqual(error);
      const data = await read<{ model: unknown }>(
        '{ model(id: "local/echo-chat") { maxOutputTokens lifecycle { status } priceHistory { version } } }',
      );
      expect(data.model).toEqual({
        maxOutputTokens: 1024,
        lifecycle: { status: 'ACTIVE' },
        priceHistory: [{ version: 1 }],
      });
    });

    it('is for organization admins only', async () => {
      const response = await catalog.subgraph.as(teamUser('team-a', 'OWNER'))(UPDATE, {
        variables: { id: 'local/echo-chat', input: { displayName: 'Mine' } },
      });
      expect(onlyError(response)).toEqual({ code: 'FORBIDDEN' });
    });
  });

  describe('deprecateModel', () => {
    beforeAll(async () => {
      for (const id of ['local/old', 'local/new', 'local/gone']) await register(chatModel(id));
      expectNoErrors(await admin()(DEPRECATE, { variables: { id: 'local/gone' } }));
    });

    it('deprecates a model with a replacement and a sunset', async () => {
      const sunsetAt = iso(7 * 24 * HOUR);
      const variables = { id: 'local/old', sunsetAt, replacementId: 'local/new' };
      const data = expectNoErrors(await admin()(DEPRECATE, { variables }));
      expect(data.deprecateModel.lifecycle).toEqual({
        status: 'DEPRECATED',
        deprecatedAt: expect.any(String),
        sunsetAt,
        replacement: { id: 'local/new' },
      });
      const list = await read<ModelIds>(
        '{ models(filter: { lifecycle: [DEPRECATED] }) { edges { node { id } } } }',
      );
      expect(list.models.edges).toEqual([
        { node: { id: 'local/gone' } },
        { node: { id: 'local/old' } },
      ]);
      const statusChange = await admin()(UPDATE, {
        variables: { id: 'local/old', input: { status: 'ACTIVE' } },
      });
      expect(onlyError(statusChange)).toEqual(bad('status'));
    });

    it.each<[string, Vars, Vars]>([
      ['a sunset in the past', { sunsetAt: iso(-HOUR) }, bad('sunsetAt')],
      ['itself as replacement', { replacementId: 'local/echo-chat' }, bad('replacementId')],
      ['an unknown replacement', { replacementId: 'local/nope' }, bad('replacementId')],
      ['a malformed replacement', { replacementId: 'NOPE' }, bad('replacementId')],
      ['a deprecated replacement', { replacementId: 'local/gone' }, bad('replacementId')],
    ])('refuses %s and leaves the model active', async (_case, args, error) => {
      const response = await admin()(DEPRECATE, { variables: { id: 'local/echo-chat', ...args } });
      expect(onlyError(response)).toEqual(error);
      const data = await read<{ model: { lifecycle: unknown } }>(
        '{ model(id: "local/echo-chat") { lifecycle { status sunsetAt } } }',
      );
      expect(data.model.lifecycle).toEqual({ status: 'ACTIVE', sunsetAt: null });
    });

    it('retires a model once its sunset has passed, then refuses changes to it', async () => {
      await register(chatModel('local/doomed'));
      // The catalog's clock runs an hour slow, so a sunset a minute ago (for the database, which
      // decides RETIRED) is still in the future when the mutation checks it.
      catalog.setClockOffset(-HOUR);
      const variables = { id: 'local/doomed', sunsetAt: iso(-60_000) };
      const data = expectNoErrors(await admin()(DEPRECATE, { variables }));
      expect(data.deprecateModel.lifecycle.status).toBe('RETIRED');
      const update = await admin()(UPDATE, {
        variables: { id: 'local/doomed', input: { displayName: 'x' } },
      });
      expect(onlyError(update)).toEqual(bad('id'));
      const again = await admin()(DEPRECATE, { variables: { id: 'local/doomed' } });
      expect(onlyError(again)).toEqual(bad());
    });

    it('is for organization admins only', async () => {
      const response = await reader()(DEPRECATE, { variables: { id: 'local/echo-chat' } });
      expect(onlyError(response)).toEqual({ code: 'FORBIDDEN' });
    });
  });
});
