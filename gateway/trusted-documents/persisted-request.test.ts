import { clientIdentityOf } from '../clients/client-identity.js';
import { persistedRequestOf, withDocument } from './persisted-request.js';

const ID = 'a'.repeat(64);
const extensions = { persistedQuery: { version: 1, sha256Hash: ID }, tracing: true };

describe('persisted requests', () => {
  it('reads the query and id of a POST body and of a GET query string', () => {
    expect(persistedRequestOf('POST', new URL('http://h/graphql'), { extensions })).toEqual({
      query: undefined,
      id: ID,
    });
    const get = new URL('http://h/graphql');
    get.searchParams.set('query', '{ a }');
    get.searchParams.set('extensions', JSON.stringify(extensions));
    expect(persistedRequestOf('GET', get, undefined)).toEqual({ query: '{ a }', id: ID });
    get.searchParams.set('extensions', '{not json');
    expect(persistedRequestOf('GET', get, undefined).id).toBeUndefined();
    expect(persistedRequestOf('POST', get, [{ query: '{ a }' }])).toEqual({
      query: undefined,
      id: undefined,
    });
  });

  it('puts the document in place of its id and keeps every other extension', () => {
    const url = new URL('http://h/graphql');
    const post = withDocument('POST', url, { extensions, variables: { a: 1 } }, '{ a }');
    expect(post.body).toEqual({
      query: '{ a }',
      variables: { a: 1 },
      extensions: { tracing: true },
    });
    const get = new URL('http://h/graphql?variables=%7B%7D');
    get.searchParams.set('extensions', JSON.stringify(extensions));
    const rewritten = withDocument('GET', get, undefined, '{ a }').url.searchParams;
    expect(Object.fromEntries(rewritten)).toEqual({
      query: '{ a }',
      variables: '{}',
      extensions: '{"tracing":true}',
    });
  });

  it("reads the client's identity from Apollo's client-awareness headers", () => {
    expect(
      clientIdentityOf({
        'apollographql-client-name': '  web ',
        'apollographql-client-version': 'v'.repeat(150),
      }),
    ).toEqual({ name: 'web', version: 'v'.repeat(100) });
    expect(clientIdentityOf({})).toEqual({ name: '', version: '' });
  });
});
