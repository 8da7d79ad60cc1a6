// Regressions: each of these failed before its fix (concurrent registration, stale prices after two
// changes in one operation, impossible dates, model-id existence leaking through _entities).
import { DateTimeScalar } from '../../lib/graphql/scalars.js';
import { useCatalog } from '../../test/support/catalog-subgraph.js';
import { errorsOf } from '../../test/support/error-summary.js';
import { expectNoErrors } from '../../test/support/graphql-client.js';
import { orgAdmin, teamKey } from '../../test/support/identities.js';
import { STORE_MODES } from '../../test/support/test-env.js';

describe('DateTime', () => {
  it('rejects a day that does not exist in its month instead of rolling over', () => {
    expect(() => DateTimeScalar.parseValue('2026-02-30T00:00:00Z')).toThrow();
  });
});

describe.each(STORE_MODES)('model-catalog known bugs (%s stores)', (mode) => {
  const catalog = useCatalog(mode);
  const admin = () => catalog.subgraph.as(orgAdmin());

  it('answers concurrent registrations of one id with one success and CONFLICTs', async () => {
    const m = `mutation { registerModel(input: { id: "local/race", providerId: "local", displayName: "R",
      capabilities: [CHAT], contextWindow: 10, maxOutputTokens: 1,
      price: { inputPerMillion: "0", outputPerMillion: "0" } }) { id } }`;
    const responses = await Promise.all(Array.from({ length: 5 }, () => admin()(m)));
    const codes = responses.map((r) => errorsOf(r).map((e) => e.code)[0] ?? 'OK').sort();
    expect(codes).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'OK']);
  });

  it('shows the new price versions after two price changes in one operation', async () => {
    const data = expectNoErrors(
      await admin()<{ b: { priceHistory: unknown; pricing: unknown } }>(`mutation {
        a: updateModel(id: "local/echo-chat", input: { price: { inputPerMillion: "1", outputPerMillion: "1" } }) { priceHistory { version } }
        b: updateModel(id: "local/echo-chat", input: { price: { inputPerMillion: "2", outputPerMillion: "2" } }) { priceHistory { version } pricing { version inputPerMillion } }
      }`),
    );
    expect(data.b.priceHistory).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }]);
    expect(data.b.pricing).toEqual({ version: 3, inputPerMillion: '2' });
  });

  it('does not tell a principal without models:read which model ids exist', async () => {
    const response = await catalog.subgraph.as(teamKey('t', ['wallet:read']))(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Model { id } } }',
      { variables: { r: [{ __typename: 'Model', id: 'local/no-such-model' }] } },
    );
    expect(errorsOf(response).map((e) => e.code)).toEqual(['FORBIDDEN']);
  });

  it('refuses embeddingDimensions on a model without EMBEDDING', async () => {
    const response =
      await admin()(`mutation { registerModel(input: { id: "local/dims", providerId: "local",
      displayName: "D", capabilities: [CHAT], contextWindow: 10, maxOutputTokens: 1, embeddingDimensions: 64,
      maxBatchSize: 5, price: { inputPerMillion: "0", outputPerMillion: "0" } }) { id embeddingDimensions } }`);
    expect(errorsOf(response).map((e) => e.code)).toEqual(['BAD_USER_INPUT']);
  });
});
