import { orgAdmin, silentLogger, teamKey } from '../../test/support/identities.js';
import type { DocumentRegistry } from './document-registry.js';
import { createTrustedDocuments, type DocumentRequest } from './trusted-documents.js';

/** A registry that cannot be asked (policy down, nothing cached). */
const unreachable: DocumentRegistry = {
  lookup: () => Promise.reject(new Error('connect ECONNREFUSED')),
} as unknown as DocumentRegistry;

const request = (principal: DocumentRequest['principal'], body: unknown): DocumentRequest => ({
  method: 'POST',
  url: new URL('http://gateway/graphql'),
  body,
  headers: { 'apollographql-client-name': 'web' },
  principal,
  requestId: 'r',
  logger: silentLogger,
});

describe('trusted documents in require mode with the registry unreachable', () => {
  const resolve = createTrustedDocuments({ mode: 'require', registry: unreachable });
  const fullQuery = { query: '{ viewer { id } }' };
  const byId = { extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } };

  it("runs an organization admin's full query as sent: admins are exempt", async () => {
    await expect(resolve(request(orgAdmin(), fullQuery))).resolves.toEqual({
      run: { url: expect.any(URL), body: fullQuery },
    });
  });

  it('answers unavailable for anyone else, and for an id it cannot resolve', async () => {
    const member = teamKey('team-1', ['models:read']);
    await expect(resolve(request(member, fullQuery))).resolves.toHaveProperty('unavailable');
    await expect(resolve(request(orgAdmin(), byId))).resolves.toHaveProperty('unavailable');
  });
});
