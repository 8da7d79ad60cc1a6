import { buildSubgraphSchema } from '@apollo/subgraph';
import { graphql, parse } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import type { Principal } from '../../lib/auth/principal.js';
import { teamKey } from '../../test/support/identities.js';
import { orchestrationPermissions } from './permissions.js';
import { orchestrationTypeDefs } from './server.js';

// The subgraph's schema plus one field no rule names, as every new field is until
// permissions.ts names it.
const schema = applyMiddleware(
  buildSubgraphSchema([
    { typeDefs: orchestrationTypeDefs },
    {
      typeDefs: parse('extend type Query { unnamed: String }'),
      resolvers: { Query: { unnamed: () => 'leak' } },
    },
  ]),
  orchestrationPermissions,
);

async function codesOf(source: string, principal: Principal | null) {
  const result = await graphql({ schema, source, contextValue: { principal } });
  return { data: result.data, codes: (result.errors ?? []).map((e) => e.extensions.code) };
}

describe('orchestration permissions', () => {
  it('want a signed-in caller for orchestrationInfo', async () => {
    expect(await codesOf('{ orchestrationInfo { service } }', null)).toEqual({
      data: null,
      codes: ['UNAUTHENTICATED'],
    });
  });

  it('deny a field they do not name, even to a signed-in caller', async () => {
    expect(await codesOf('{ unnamed }', teamKey('team-a', ['models:read']))).toEqual({
      data: { unnamed: null },
      codes: ['FORBIDDEN'],
    });
  });

  it("let only team admins create a collection, and only members list a team's", async () => {
    const create = `mutation { createCollection(input: {
      teamId: "team-a", name: "c", embeddingModel: "m" }) { id } }`;
    expect((await codesOf(create, teamKey('team-a', ['inference:invoke']))).codes).toEqual([
      'FORBIDDEN',
    ]);
    expect((await codesOf(create, teamKey('team-b', ['policy:admin']))).codes).toEqual([
      'FORBIDDEN',
    ]);
    expect(
      (await codesOf('{ collections(teamId: "team-a") { totalCount } }', teamKey('team-b', [])))
        .codes,
    ).toEqual(['FORBIDDEN']);
    expect((await codesOf('{ collection(id: "c") { id } }', null)).codes).toEqual([
      'UNAUTHENTICATED',
    ]);
  });
});
