// Regression: a rule given for the whole Query type was dropped (every Query field denied).
import { buildSchema, graphql } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { createPermissions, isAuthenticated } from './shield-rules.js';
import { teamUser } from '../../test/support/identities.js';

const sdl = `type _Service { sdl: String } type Query { _service: _Service _entities: [String] me: String }`;
it('a type-level rule on Query guards every Query field', async () => {
  const schema = applyMiddleware(buildSchema(sdl), createPermissions({ Query: isAuthenticated }));
  const result = await graphql({
    schema,
    source: '{ me }',
    rootValue: { me: () => 'you' },
    contextValue: { principal: teamUser('t', 'MEMBER') },
  });
  expect(result.errors).toBeUndefined();
  expect(result.data).toEqual({ me: 'you' });
});
