import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GraphQLError } from 'graphql';
import type { Db } from '../../lib/db/index.js';
import { orgAdmin, silentLogger } from '../../test/support/identities.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/stores.js';
import { STORE_MODES } from '../../test/support/test-env.js';
import { POLICY_SCHEMA, preparePolicyStore } from './server.js';
import { currentApiSchema } from './service/current-api-schema.js';
import { createTrustedDocumentService } from './service/trusted-document-service.js';
import { createAuditStore } from './store/audit-store.js';
import { createTrustedDocumentStore } from './store/trusted-document-store.js';

const SUPERGRAPH = new URL('../../schema/supergraph.graphql', import.meta.url);
const caller = { principal: orgAdmin(), requestId: 'publish-test' };

const operation = (name: string, body: string, type = 'query') => ({
  id: createHash('sha256').update(body).digest('hex'),
  name,
  type,
  body,
});
const manifestOf = (...operations: ReturnType<typeof operation>[]) => ({
  format: 'apollo-persisted-query-manifest',
  version: 1,
  operations,
});
const VIEWER = operation('Viewer', 'query Viewer { viewer { id kind } }');
const TEAMS = operation('Teams', 'query Teams { teams { id name } }');

async function thrown(promise: Promise<unknown>): Promise<GraphQLError> {
  try {
    await promise;
  } catch (error) {
    return error as GraphQLError;
  }
  throw new Error('expected a rejection');
}

describe.each(STORE_MODES)('trusted documents in the policy store (%s)', (mode) => {
  let database: TestDatabase;
  let db: Db;
  let dir: string;
  let supergraphPath: string;
  let service: ReturnType<typeof createTrustedDocumentService>;
  beforeAll(async () => {
    database = await createTestDatabase(mode);
    db = await database.open(POLICY_SCHEMA);
    await preparePolicyStore(db);
    dir = await mkdtemp(join(tmpdir(), 'mg-supergraph-'));
    supergraphPath = join(dir, 'supergraph.graphql');
    await writeFile(supergraphPath, await readFile(SUPERGRAPH, 'utf8'));
    service = createTrustedDocumentService(db, currentApiSchema(supergraphPath, silentLogger));
  });
  afterAll(async () => {
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const publish = (clientName: string, clientVersion: string, manifest = manifestOf(VIEWER)) =>
    service.publishDocuments(caller, { clientName, clientVersion, manifest });

  it('registers per client version, idempotently, and answers the gateway per client name', async () => {
    expect(await publish('ios', '1.0', manifestOf(VIEWER, TEAMS, VIEWER))).toEqual({
      clientName: 'ios',
      clientVersion: '1.0',
      documentCount: 2,
      addedCount: 2,
    });
    expect((await publish('ios', '1.0')).addedCount).toBe(0);
    expect((await publish('ios', '1.1')).addedCount).toBe(1);

    const store = createTrustedDocumentStore(db);
    expect(await store.lookup(VIEWER.id, 'ios')).toEqual({
      body: VIEWER.body,
      registeredForClient: true,
    });
    expect(await store.lookup(VIEWER.id, 'android')).toEqual({
      body: VIEWER.body,
      registeredForClient: false,
    });
    expect(await store.lookup(operation('X', '{ x }').id, 'ios')).toBeUndefined();

    const first = await service.trustedDocuments('ios', null, 2);
    const rest = await service.trustedDocuments('ios', first.at(-1)!.seq, 10);
    expect([...first, ...rest].map((d) => [d.clientVersion, d.name, d.type])).toEqual([
      ['1.0', 'Viewer', 'query'],
      ['1.0', 'Teams', 'query'],
      ['1.1', 'Viewer', 'query'],
    ]);
    expect(await service.countTrustedDocuments('ios')).toBe(3);
    expect(await service.countTrustedDocuments('android')).toBe(0);

    const audit = await createAuditStore(db).list(
      null,
      { actions: ['DOCUMENTS_PUBLISHED'] },
      null,
      10,
    );
    expect(audit.map((e) => [e.targetId, e.details])).toEqual([
      ['ios@1.1', { clientName: 'ios', clientVersion: '1.1', documents: 1, added: 1 }],
      ['ios@1.0', { clientName: 'ios', clientVersion: '1.0', documents: 1, added: 0 }],
      ['ios@1.0', { clientName: 'ios', clientVersion: '1.0', documents: 2, added: 2 }],
    ]);
  });

  it('refuses a whole manifest with any bad operation, naming each, and stores none of it', async () => {
    const twoOperations = operation(
      'Two',
      'query Two { teams { id } } query Three { teams { id } }',
    );
    const wrongName = { ...operation('Other', 'query Named { teams { id } }') };
    const wrongType = operation('Teams2', 'query Teams2 { teams { id } }', 'mutation');
    const syntax = operation('Bad', 'query Bad { teams { id }');
    const wrongId = { ...operation('Ids', 'query Ids { teams { id } }'), id: VIEWER.id };
    const error = await thrown(
      publish('web', '1', manifestOf(TEAMS, twoOperations, wrongName, wrongType, syntax, wrongId)),
    );
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    const problems = error.extensions.operations as Array<{ name: string; problems: string[] }>;
    expect(problems.map((p) => [p.name, p.problems])).toEqual([
      ['Two', ['body must hold exactly one operation, not 2']],
      ['Other', ['name "Other" is not the operation\'s name']],
      ['Teams2', ['type "mutation" is not the operation\'s type']],
      ['Bad', [expect.stringContaining('Syntax Error')]],
      ['Ids', ['id is not the SHA-256 (hex) of body']],
    ]);
    expect(await service.countTrustedDocuments('web')).toBe(0);

    for (const [clientName, clientVersion] of [
      ['', '1'],
      [' web', '1'],
      ['web', 'x'.repeat(101)],
    ]) {
      expect((await thrown(publish(clientName!, clientVersion!))).extensions.code).toBe(
        'BAD_USER_INPUT',
      );
    }
    const empty = await thrown(publish('web', '1', { ...manifestOf(), operations: [] }));
    expect(empty.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'manifest.operations',
    });
  });

  it('checks against the supergraph file as it is now, reloading it when it changes', async () => {
    const original = await readFile(supergraphPath, 'utf8');
    // The served supergraph without Viewer.kind: Viewer as published above no longer validates.
    const withoutKind = original.replace(
      '  """How the caller authenticated."""\n  kind: PrincipalKind!\n',
      '',
    );
    expect(withoutKind).not.toBe(original);
    await writeFile(supergraphPath, withoutKind);
    const error = await thrown(publish('ios', '2.0'));
    expect(error.extensions.operations).toEqual([
      expect.objectContaining({
        name: 'Viewer',
        problems: [expect.stringContaining('Cannot query field "kind" on type "Viewer".')],
      }),
    ]);
    await writeFile(supergraphPath, original);
    expect((await publish('ios', '2.0')).documentCount).toBe(1);
  });
});
