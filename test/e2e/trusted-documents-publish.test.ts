import { expectErrorCode, expectNoErrors } from '../support/graphql-client.js';
import { startStack, TEST_ADMIN_KEY, type Stack } from '../support/stack.js';
import { STORE_MODES } from '../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';
import {
  LIST,
  PUBLISH,
  generateManifest,
  publishWithCli,
  type GeneratedManifest,
} from '../support/trusted-documents.js';
import { typed } from '../support/typed-document.js';

const AUDIT = typed<{
  auditLog: { edges: Array<{ node: { action: string; actor: string; targetId: string } }> };
}>(`query { auditLog(filter: { actions: ["DOCUMENTS_PUBLISHED"] }, first: 10) {
  edges { node { action actor targetId } } } }`);

/** An operation that parses but asks for a field the supergraph does not have. */
const BROKEN = 'query Broken { viewer { id nickname } }';

describe.each(STORE_MODES)('publishing trusted documents (%s stores)', (mode) => {
  let stack: Stack;
  let generated: GeneratedManifest;
  beforeAll(async () => {
    [stack, generated] = await Promise.all([startStack({ mode }), generateManifest()]);
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
    await generated?.remove();
  });

  const publish = (token: string, clientVersion: string, manifest = generated.manifest) =>
    stack.request(PUBLISH, {
      token,
      variables: { input: { clientName: 'catalog-web', clientVersion, manifest } },
    });

  it('registers the generated manifest once per version, lists it, and audits each publish', async () => {
    const first = expectNoErrors(await publish(TEST_ADMIN_KEY, '1.0.0'));
    expect(first.publishDocuments).toEqual({
      clientName: 'catalog-web',
      clientVersion: '1.0.0',
      documentCount: 3,
      addedCount: 3,
    });
    // The same version again changes nothing.
    const again = expectNoErrors(await publish(TEST_ADMIN_KEY, '1.0.0'));
    expect(again.publishDocuments.addedCount).toBe(0);

    const page = expectNoErrors(
      await stack.request(LIST, {
        token: TEST_ADMIN_KEY,
        variables: { clientName: 'catalog-web', first: 2 },
      }),
    ).trustedDocuments;
    expect(page.totalCount).toBe(3);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const rest = expectNoErrors(
      await stack.request(LIST, {
        token: TEST_ADMIN_KEY,
        variables: { clientName: 'catalog-web', first: 2, after: page.pageInfo.endCursor },
      }),
    ).trustedDocuments;
    const listed = [...page.edges, ...rest.edges].map((e) => e.node);
    expect(rest.pageInfo.hasNextPage).toBe(false);
    expect(listed.map((d) => d.id).sort()).toEqual(
      generated.manifest.operations.map((o) => o.id).sort(),
    );
    const catalog = generated.operation('ModelCatalog');
    expect(listed.find((d) => d.id === catalog.id)).toEqual({
      id: catalog.id,
      clientName: 'catalog-web',
      clientVersion: '1.0.0',
      operationName: 'ModelCatalog',
      operationType: 'query',
      body: catalog.body,
      publishedAt: expect.any(String),
    });

    const audit = expectNoErrors(await stack.request(AUDIT, { token: TEST_ADMIN_KEY }));
    expect(audit.auditLog.edges.map((e) => e.node)).toEqual([
      { action: 'DOCUMENTS_PUBLISHED', actor: 'admin', targetId: 'catalog-web@1.0.0' },
      { action: 'DOCUMENTS_PUBLISHED', actor: 'admin', targetId: 'catalog-web@1.0.0' },
    ]);
  });

  it('publishes from the command line, and says which operation it refused', async () => {
    const env = { MODELGRAPH_URL: stack.url, MODELGRAPH_TOKEN: TEST_ADMIN_KEY };
    const args = ['--client', 'catalog-web', '--version', '1.1.0', '--manifest', generated.path];
    const done = await publishWithCli(args, env);
    expect(done).toMatchObject({ code: 0 });
    expect(done.stdout).toContain('Published 3 documents for catalog-web@1.1.0 (3 new).');

    const broken = await generateManifest({ 'broken.graphql': BROKEN });
    try {
      const refused = await publishWithCli(
        ['--client', 'catalog-web', '--version', '1.2.0', '--manifest', broken.path],
        env,
      );
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('BAD_USER_INPUT');
      expect(refused.stderr).toMatch(/Broken: .*Cannot query field "nickname" on type "Viewer"/);
    } finally {
      await broken.remove();
    }
    const counted = expectNoErrors(
      await stack.request(LIST, {
        token: TEST_ADMIN_KEY,
        variables: { clientName: 'catalog-web' },
      }),
    );
    expect(counted.trustedDocuments.edges.map((e) => e.node.clientVersion)).not.toContain('1.2.0');
  });

  it('refuses the whole manifest when an operation is invalid or its id is not its hash', async () => {
    const broken = await generateManifest({ 'broken.graphql': BROKEN });
    try {
      const viewer = broken.operation('Viewer');
      const tampered = {
        ...broken.manifest,
        operations: broken.manifest.operations.map((o) =>
          o.id === viewer.id ? { ...o, body: o.body.replace('kind', 'roles') } : o,
        ),
      };
      const error = expectErrorCode(
        await publish(TEST_ADMIN_KEY, '9.9.9', tampered),
        'BAD_USER_INPUT',
      );
      expect(error.extensions?.operations).toEqual([
        expect.objectContaining({
          name: 'Broken',
          problems: [expect.stringContaining('nickname')],
        }),
        expect.objectContaining({
          name: 'Viewer',
          problems: ['id is not the SHA-256 (hex) of body'],
        }),
      ]);
      expect(error.message).toMatch(/Broken .*\| Viewer/);
      const listed = expectNoErrors(
        await stack.request(LIST, {
          token: TEST_ADMIN_KEY,
          variables: { clientName: 'catalog-web' },
        }),
      );
      expect(listed.trustedDocuments.edges.map((e) => e.node.clientVersion)).not.toContain('9.9.9');
    } finally {
      await broken.remove();
    }
    expectErrorCode(
      await publish(TEST_ADMIN_KEY, '9.9.9', { ...generated.manifest, format: 'other' as never }),
      'BAD_USER_INPUT',
    );
  });

  it('lets only organization admins publish or list', async () => {
    const { key } = await stack.createTeamWithKey('Not admins', ['models:read']);
    expectErrorCode(await publish(key, '6.6.6'), 'FORBIDDEN');
    expectErrorCode(await stack.request(LIST, { token: key, variables: {} }), 'FORBIDDEN');
    const listed = expectNoErrors(
      await stack.request(LIST, {
        token: TEST_ADMIN_KEY,
        variables: { clientName: 'catalog-web' },
      }),
    );
    expect(listed.trustedDocuments.edges.map((e) => e.node.clientVersion)).not.toContain('6.6.6');
  });
});
