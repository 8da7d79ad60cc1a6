import { useCatalog } from '../../test/support/catalog-subgraph.js';
import { expectErrorCode } from '../../test/support/graphql-client.js';
import { orgAdmin, teamKey } from '../../test/support/identities.js';
import { STORE_MODES } from '../../test/support/test-env.js';
import { lookupRoute } from './service/route-resolution.js';

const MODEL = `query($id: ID!) { model(id: $id) { id } }`;
const UPDATE = `mutation($id: ID!) { updateModel(id: $id, input: { displayName: "X" }) { id } }`;
const DEPRECATE = `mutation($id: ID!, $r: ID) { deprecateModel(id: $id, replacementId: $r) { id } }`;

interface ModelData {
  model: { id: string } | null;
}

// A newcomer types the model's own name, not its catalog id: every answer says which id exists.
describe.each(STORE_MODES)('model-catalog suggestions for unknown ids (%s stores)', (mode) => {
  const catalog = useCatalog(mode);
  const reader = () => catalog.subgraph.as(teamKey('team-a', ['models:read']));
  const admin = () => catalog.subgraph.as(orgAdmin());

  it('answers model(id: "gpt-4o-mini") with the id it exists under', async () => {
    const error = expectErrorCode(
      await reader()<ModelData>(MODEL, { variables: { id: 'gpt-4o-mini' } }),
      'BAD_USER_INPUT',
    );
    expect(error.message).toMatch(/Did you mean openai\/gpt-4o-mini\?$/);
    expect(error.extensions?.suggestions).toEqual(['openai/gpt-4o-mini']);
  });

  it('answers a misspelt id with NOT_FOUND and the close match', async () => {
    const error = expectErrorCode(
      await reader()<ModelData>(MODEL, { variables: { id: 'openai/gpt-4o-mni' } }),
      'NOT_FOUND',
    );
    expect(error.message).toBe(
      'Model "openai/gpt-4o-mni" does not exist. Did you mean openai/gpt-4o-mini?',
    );
    expect(error.extensions?.suggestions).toEqual(['openai/gpt-4o-mini']);
  });

  it('keeps NOT_FOUND plain when nothing is close', async () => {
    const error = expectErrorCode(
      await reader()<ModelData>(MODEL, { variables: { id: 'acme/unheard-of' } }),
      'NOT_FOUND',
    );
    expect(error.message).toBe('Model "acme/unheard-of" does not exist.');
    expect(error.extensions?.suggestions).toBeUndefined();
  });

  it('suggests in the admin mutations too', async () => {
    const update = expectErrorCode(
      await admin()<{ updateModel: { id: string } | null }>(UPDATE, {
        variables: { id: 'local/echo-chta' },
      }),
      'NOT_FOUND',
    );
    expect(update.extensions?.suggestions).toEqual(['local/echo-chat']);
    const deprecate = expectErrorCode(
      await admin()<{ deprecateModel: { id: string } | null }>(DEPRECATE, {
        variables: { id: 'local/echo-chat', r: 'gpt-4o' },
      }),
      'BAD_USER_INPUT',
    );
    expect(deprecate.message).toMatch(/Did you mean openai\/gpt-4o\?$/);
  });

  it("gives the internal route's caller suggestions for an unknown name, none for a known one", async () => {
    const unknown = await lookupRoute(catalog.db, 'gpt-4o-mini', new Date());
    expect(unknown).toEqual({ route: null, suggestions: ['openai/gpt-4o-mini'] });
    const known = await lookupRoute(catalog.db, 'openai/gpt-4o-mini', new Date());
    expect(known.route?.alias).toBe('openai/gpt-4o-mini');
    expect(known.suggestions).toEqual([]);
  });
});
