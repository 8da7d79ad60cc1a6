import { createKeyAs } from '../../support/api-keys.js';
import {
  COLLECTION,
  COLLECTION_AUDIT,
  COLLECTIONS,
  CREATE_COLLECTION,
  DELETE_COLLECTION,
  DELETE_DOCUMENT,
  INGEST,
  SEARCH,
} from '../../support/collection-documents.js';
import { eventually } from '../../support/eventually.js';
import { expectErrorCode, expectNoErrors } from '../../support/graphql-client.js';
import { createCallingTeam, type CallingTeam } from '../../support/inference-setup.js';
import { startStack, TEST_ADMIN_KEY, type Stack } from '../../support/stack.js';
import { STORE_MODES } from '../../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';

/** A small Markdown corpus: three documents on topics far apart in words. */
const CORPUS = [
  {
    key: 'handbook/accounts.md',
    title: 'Accounts',
    format: 'MARKDOWN',
    metadata: { lang: 'en', area: 'accounts' },
    content: `# Accounts

## Password reset

To reset a forgotten password, open the sign-in page and choose "Forgot password". We email a
reset link that expires after one hour; the new password must differ from the last three.

## Two-factor authentication

Enable two-factor authentication under Security settings with an authenticator app.`,
  },
  {
    key: 'handbook/shipping.md',
    title: 'Shipping',
    format: 'MARKDOWN',
    metadata: { lang: 'en', area: 'orders' },
    content: `# Shipping

Parcels leave our warehouse within two business days. Express delivery arrives the next day;
standard delivery takes three to five days. Tracking numbers are sent by text message.`,
  },
  {
    key: 'handbook/remboursements.md',
    title: 'Remboursements',
    format: 'MARKDOWN',
    metadata: { lang: 'fr', area: 'orders' },
    content: `# Remboursements

Un remboursement est possible pendant trente jours après la livraison. Le colis doit être
renvoyé dans son emballage d'origine; le remboursement arrive sous dix jours.`,
  },
];

const micros = (value: string) => BigInt(value);

/**
 * Issue 17, collections: team-scoped document collections, ingested through the paid, batched
 * `embed` of their embedding model (local/hash-embed here, deterministic) and searched by text,
 * through the gateway, orchestration, inference and the wallet.
 */
describe.each(STORE_MODES)('retrieval collections end to end (%s stores)', (mode) => {
  let stack: Stack;
  let team: CallingTeam;
  let outsiders: CallingTeam;
  let admin: string;
  let viewer: string;

  const create = (token: string, input: Record<string, unknown>) =>
    stack.request(CREATE_COLLECTION, { token, variables: { input } });
  const ingest = (token: string, id: string, documents: Array<Record<string, unknown>>) =>
    stack.request(INGEST, { token, variables: { id, documents } });
  const search = (
    token: string,
    variables: { id: string; query: string; topK?: number; minScore?: number; filter?: unknown },
  ) => stack.request(SEARCH, { token, variables });
  const read = (token: string, id: string) =>
    stack.request(COLLECTION, { token, variables: { id } });

  beforeAll(async () => {
    stack = await startStack({ mode });
    team = await createCallingTeam(stack, { name: 'Librarians' });
    outsiders = await createCallingTeam(stack, { name: 'Library outsiders' });
    admin = (
      await createKeyAs(stack, TEST_ADMIN_KEY, {
        teamId: team.teamId,
        scopes: ['models:read', 'inference:invoke', 'wallet:read', 'policy:admin'],
        name: 'collection admin',
      })
    ).secret;
    viewer = (
      await createKeyAs(stack, TEST_ADMIN_KEY, {
        teamId: team.teamId,
        scopes: ['models:read', 'wallet:read'],
        name: 'collection viewer',
      })
    ).secret;
  }, STACK_START_TIMEOUT_MS);
  afterAll(() => stack?.stop());

  it('ingests a Markdown corpus, searches it, and charges the team exactly the embeds', async () => {
    expectErrorCode(
      await create(team.key, {
        teamId: team.teamId,
        name: 'handbook',
        embeddingModel: 'local/hash-embed',
      }),
      'FORBIDDEN',
    );
    const { createCollection: collection } = expectNoErrors(
      await create(admin, {
        teamId: team.teamId,
        name: 'handbook',
        description: 'The support handbook',
        embeddingModel: 'local/hash-embed',
        chunking: { maxChars: 200, overlapChars: 40 },
      }),
    );
    expect(collection).toMatchObject({ dataClass: 'INTERNAL', dimensions: null, chunkCount: 0 });
    expectErrorCode(
      await create(admin, {
        teamId: team.teamId,
        name: 'handbook',
        embeddingModel: 'local/hash-embed',
      }),
      'CONFLICT',
    );

    const before = await team.settledBalance();
    const ingested = expectNoErrors(await ingest(team.key, collection.id, CORPUS)).ingestDocuments;
    expect(ingested).toMatchObject({ embeddedDocuments: 3, unchangedDocuments: 0 });
    expect(ingested.chunksCreated).toBeGreaterThan(3);
    expect(ingested.collection).toMatchObject({
      dimensions: 256,
      documentCount: 3,
      chunkCount: ingested.chunksCreated,
    });
    expect(ingested.documents.map((d) => d.key)).toEqual(CORPUS.map((d) => d.key));
    expect(micros(ingested.cost)).toBeGreaterThan(0n);
    const afterIngest = await team.settledBalance();
    expect(micros(before.available) - micros(afterIngest.available)).toBe(micros(ingested.cost));

    // The same documents again: nothing embedded, nothing paid.
    const again = expectNoErrors(await ingest(team.key, collection.id, CORPUS)).ingestDocuments;
    expect(again).toMatchObject({
      embeddedDocuments: 0,
      unchangedDocuments: 3,
      chunksCreated: 0,
      cost: '0',
    });
    expect(again.documents.map((d) => d.id)).toEqual(ingested.documents.map((d) => d.id));

    const found = expectNoErrors(
      await search(team.key, {
        id: collection.id,
        query: 'How do I reset a forgotten password?',
        topK: 3,
      }),
    ).searchCollection;
    const [best] = found.matches;
    expect(best).toMatchObject({
      documentId: ingested.documents[0]!.id,
      documentTitle: 'Accounts',
      metadata: { lang: 'en', section: 'Accounts > Password reset' },
    });
    expect(best!.text).toContain('To reset a forgotten password');
    expect(CORPUS[0]!.content.slice(best!.start, best!.end)).toBe(best!.text);
    expect(found.matches.map((m) => m.score)).toEqual(
      [...found.matches.map((m) => m.score)].sort((a, b) => b - a),
    );
    expect(micros(found.cost)).toBeGreaterThan(0n);

    // Filters: only French documents; membership over two areas.
    const french = expectNoErrors(
      await search(team.key, {
        id: collection.id,
        query: 'How do I reset a forgotten password?',
        topK: 10,
        filter: { lang: 'fr' },
      }),
    ).searchCollection;
    expect(french.matches.length).toBeGreaterThan(0);
    expect(new Set(french.matches.map((m) => m.documentTitle))).toEqual(
      new Set(['Remboursements']),
    );
    const inAreas = expectNoErrors(
      await search(team.key, {
        id: collection.id,
        query: 'delivery',
        topK: 50,
        filter: { area: { in: ['orders'] }, lang: 'en' },
      }),
    ).searchCollection;
    expect(new Set(inAreas.matches.map((m) => m.documentTitle))).toEqual(new Set(['Shipping']));

    // minScore: a bar just above the best match leaves nothing; just below keeps the best.
    const bar = best!.score;
    const none = expectNoErrors(
      await search(team.key, {
        id: collection.id,
        query: 'How do I reset a forgotten password?',
        topK: 10,
        minScore: Math.min(1, bar + 0.001),
      }),
    ).searchCollection;
    expect(none.matches).toEqual([]);
    const some = expectNoErrors(
      await search(team.key, {
        id: collection.id,
        query: 'How do I reset a forgotten password?',
        topK: 10,
        minScore: bar - 0.001,
      }),
    ).searchCollection;
    expect(some.matches.map((m) => m.chunkId)).toEqual([best!.chunkId]);

    const spent = [found, french, inAreas, none, some].reduce((sum, r) => sum + micros(r.cost), 0n);
    const afterSearches = await team.settledBalance();
    expect(micros(afterIngest.available) - micros(afterSearches.available)).toBe(spent);

    // Bad input is refused before anything is paid.
    for (const bad of [
      { id: collection.id, query: 'x', topK: 0 },
      { id: collection.id, query: '   ' },
      { id: collection.id, query: 'x', filter: { lang: { near: 'en' } } },
      { id: collection.id, query: 'x', minScore: 2 },
    ]) {
      expectErrorCode(await search(team.key, bad), 'BAD_USER_INPUT');
    }
    expectErrorCode(
      await ingest(
        team.key,
        collection.id,
        Array.from({ length: 101 }, (_, i) => ({ content: `doc ${i}` })),
      ),
      'BAD_USER_INPUT',
    );
    expectErrorCode(
      await ingest(team.key, collection.id, [{ content: 'x', metadata: { ordinal: 1 } }]),
      'BAD_USER_INPUT',
    );
    expect(await team.settledBalance()).toEqual(afterSearches);
  });

  it('replaces a re-ingested key, deletes documents and collections, and audits', async () => {
    const { createCollection: collection } = expectNoErrors(
      await create(admin, {
        teamId: team.teamId,
        name: 'notes',
        embeddingModel: 'embed-default',
        dataClass: 'CONFIDENTIAL',
      }),
    );
    const first = expectNoErrors(
      await ingest(team.key, collection.id, [
        { key: 'note', content: 'Bananas are yellow fruit rich in potassium.' },
        { key: 'other', content: 'Granite is an igneous rock.' },
      ]),
    ).ingestDocuments;
    const replaced = expectNoErrors(
      await ingest(team.key, collection.id, [
        { key: 'note', content: 'Volcanoes erupt molten lava and ash.' },
      ]),
    ).ingestDocuments;
    expect(replaced.documents[0]!.id).toBe(first.documents[0]!.id);
    expect(replaced.collection).toMatchObject({ documentCount: 2, chunkCount: 2 });
    const hits = expectNoErrors(
      await search(team.key, { id: collection.id, query: 'bananas potassium', topK: 10 }),
    ).searchCollection.matches;
    expect(hits.map((m) => m.text)).not.toContain('Bananas are yellow fruit rich in potassium.');
    expect(hits.map((m) => m.text)).toContain('Volcanoes erupt molten lava and ash.');

    expectErrorCode(
      await stack.request(DELETE_DOCUMENT, {
        token: viewer,
        variables: { id: collection.id, documentId: first.documents[1]!.id },
      }),
      'FORBIDDEN',
    );
    const afterDelete = expectNoErrors(
      await stack.request(DELETE_DOCUMENT, {
        token: team.key,
        variables: { id: collection.id, documentId: first.documents[1]!.id },
      }),
    ).deleteCollectionDocument;
    expect(afterDelete).toMatchObject({ documentCount: 1, chunkCount: 1 });
    const rest = expectNoErrors(
      await search(team.key, { id: collection.id, query: 'granite rock', topK: 10 }),
    ).searchCollection.matches;
    expect(rest.map((m) => m.documentId)).toEqual([first.documents[0]!.id]);

    expectErrorCode(
      await stack.request(DELETE_COLLECTION, { token: team.key, variables: { id: collection.id } }),
      'FORBIDDEN',
    );
    expectNoErrors(
      await stack.request(DELETE_COLLECTION, { token: admin, variables: { id: collection.id } }),
    );
    expect(expectNoErrors(await read(team.key, collection.id)).collection).toBeNull();
    expectErrorCode(await search(team.key, { id: collection.id, query: 'volcano' }), 'NOT_FOUND');
    const events = await eventually(
      'the collection events in the audit log',
      async () => {
        const log = expectNoErrors(
          await stack.request(COLLECTION_AUDIT, {
            token: TEST_ADMIN_KEY,
            variables: { team: team.teamId },
          }),
        ).auditLog.edges.filter((e) => e.node.targetId === collection.id);
        return log.length === 2 ? log : undefined;
      },
      { timeoutMs: 10_000 },
    );
    expect(events.map((e) => e.node.action).sort()).toEqual([
      'COLLECTION_CREATED',
      'COLLECTION_DELETED',
    ]);
  });

  it("keeps a team's collections from other teams and from members who may not call models", async () => {
    const { createCollection: collection } = expectNoErrors(
      await create(admin, {
        teamId: team.teamId,
        name: 'private',
        embeddingModel: 'local/hash-embed',
      }),
    );
    expectNoErrors(await ingest(team.key, collection.id, [{ content: 'Secret launch plans.' }]));

    // A member without inference:invoke reads it but may not pay for its model.
    expect(expectNoErrors(await read(viewer, collection.id)).collection).toMatchObject({
      documentCount: 1,
    });
    expectErrorCode(await ingest(viewer, collection.id, [{ content: 'More.' }]), 'FORBIDDEN');
    expectErrorCode(await search(viewer, { id: collection.id, query: 'launch' }), 'FORBIDDEN');

    // Another team's member: it does not exist.
    expect(expectNoErrors(await read(outsiders.key, collection.id)).collection).toBeNull();
    expectErrorCode(
      await search(outsiders.key, { id: collection.id, query: 'launch' }),
      'NOT_FOUND',
    );
    expectErrorCode(
      await ingest(outsiders.key, collection.id, [{ content: 'Planted.' }]),
      'NOT_FOUND',
    );
    expectErrorCode(
      await stack.request(DELETE_COLLECTION, {
        token: outsiders.key,
        variables: { id: collection.id },
      }),
      'NOT_FOUND',
    );
    expectErrorCode(
      await stack.request(COLLECTIONS, { token: outsiders.key, variables: { team: team.teamId } }),
      'FORBIDDEN',
    );
    expectErrorCode(
      await create(outsiders.key, {
        teamId: team.teamId,
        name: 'squat',
        embeddingModel: 'local/hash-embed',
      }),
      'FORBIDDEN',
    );
    const listed = expectNoErrors(
      await stack.request(COLLECTIONS, { token: team.key, variables: { team: team.teamId } }),
    ).collections;
    expect(listed.edges.map((e) => e.node.name)).toContain('private');
    expect(
      expectNoErrors(
        await stack.request(COLLECTIONS, {
          token: outsiders.key,
          variables: { team: outsiders.teamId },
        }),
      ).collections.totalCount,
    ).toBe(0);
  });

  it('refuses to embed RESTRICTED documents with a model whose ceiling is lower', async () => {
    // openai/text-embedding-3-small's ceiling is INTERNAL (the seed's default); the local model's
    // is RESTRICTED. Inference refuses before any provider call, so nothing is charged.
    const { createCollection: collection } = expectNoErrors(
      await create(admin, {
        teamId: team.teamId,
        name: 'medical',
        embeddingModel: 'openai/text-embedding-3-small',
        dataClass: 'RESTRICTED',
      }),
    );
    const before = await team.settledBalance();
    expectErrorCode(
      await ingest(team.key, collection.id, [{ content: 'Patient record 7: allergies.' }]),
      'MODEL_NOT_ALLOWED',
    );
    expect(expectNoErrors(await read(team.key, collection.id)).collection).toMatchObject({
      documentCount: 0,
      dimensions: null,
    });
    expect(await team.settledBalance()).toEqual(before);

    const { createCollection: local } = expectNoErrors(
      await create(admin, {
        teamId: team.teamId,
        name: 'medical-local',
        embeddingModel: 'local/hash-embed',
        dataClass: 'RESTRICTED',
      }),
    );
    expectNoErrors(await ingest(team.key, local.id, [{ content: 'Patient record 7: allergies.' }]));
  });
});
