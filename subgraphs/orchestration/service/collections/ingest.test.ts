import { createHash, randomUUID } from 'node:crypto';
import { runMigrations, type Db } from '../../../../lib/db/index.js';
import { createUsearchVectorIndex } from '../../../../lib/vectors/usearch-vector-index.js';
import type { VectorIndex } from '../../../../lib/vectors/vector-index.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/stores.js';
import { STORE_MODES } from '../../../../test/support/test-env.js';
import type { EmbedRequest, InferenceClient, ModelCaller } from '../../clients/inference-client.js';
import type { CollectionRow } from '../../store/collection-rows.js';
import { createCollectionStore, type CollectionStore } from '../../store/collection-store.js';
import { orchestrationMigrations } from '../../store/migrations.js';
import { checkDocuments, type DocumentInput } from './document-input.js';
import { createIngest, documentIdOf, EMBED_BATCH } from './ingest.js';

const DIMENSIONS = 8;

/** A deterministic, never-zero vector for a text. */
const vectorOf = (text: string) =>
  [...createHash('sha256').update(text).digest().subarray(0, DIMENSIONS)].map((b) => b + 1);

/**
 * Inference as ingest sees it, recording each embed's texts; `failOn` makes that call (1-based)
 * fail as a provider outage would. The real embed path is exercised end to end in
 * test/e2e/orchestration/collections.test.ts.
 */
function recordingInference(failOn?: number) {
  const calls: EmbedRequest[] = [];
  const client = {
    async embed(_caller: ModelCaller, request: EmbedRequest) {
      calls.push(request);
      if (calls.length === failOn) throw new Error('provider down');
      return {
        model: { id: request.model },
        vectors: request.texts.map(vectorOf),
        dimensions: DIMENSIONS,
        usage: { inputTokens: request.texts.length, outputTokens: 0 },
        cost: String(request.texts.length * 10),
      };
    },
  } as unknown as InferenceClient;
  return { client, calls };
}

const words = (n: number, word: string) => Array.from({ length: n }, () => word).join(' ');

describe.each(STORE_MODES)('collection ingest (%s stores)', (mode) => {
  let database: TestDatabase;
  let db: Db;
  let store: CollectionStore;
  let index: VectorIndex;
  const caller = {
    principal: { id: 'user:x', kind: 'USER', orgId: 'o', roles: [], scopes: [], teams: [] },
    teamId: randomUUID(),
    requestId: 'r',
  } as ModelCaller;

  beforeAll(async () => {
    database = await createTestDatabase(mode);
    db = await database.open('orchestration');
    await runMigrations(db, orchestrationMigrations);
    store = createCollectionStore(db);
    index = createUsearchVectorIndex({ db });
  });
  afterAll(async () => {
    await index?.close();
    await database?.drop();
  });

  const newCollection = async (): Promise<CollectionRow> =>
    (await store.insertCollection({
      id: randomUUID(),
      teamId: caller.teamId,
      name: `c-${randomUUID()}`,
      description: null,
      dataClass: 'CONFIDENTIAL',
      embeddingModel: 'm',
      chunkMaxChars: 200,
      chunkOverlapChars: 0,
      createdBy: 'user:x',
    }))!;

  const inputs: DocumentInput[] = [
    { key: 'a', content: 'Alpha one.' },
    { key: 'b', content: 'Beta two.' },
    // About 60,000 characters in chunks of at most 200: more than one embed call's worth.
    { key: 'big', content: words(12_000, 'lorem') },
    { key: 'c', content: 'Gamma three.' },
  ];
  const chunking = { maxChars: 200, overlapChars: 0 };
  const corpus = checkDocuments(inputs, chunking);

  it('embeds in groups of at most EMBED_BATCH texts, with the collection model and class', async () => {
    const collection = await newCollection();
    const { client, calls } = recordingInference();
    const ingest = createIngest({ store, index, inference: () => client });
    const result = await ingest(caller, collection, corpus);
    const sizes = calls.map((c) => c.texts.length);
    expect(sizes.every((n) => n <= EMBED_BATCH)).toBe(true);
    // The two small documents go together; the big one fills whole calls; `c` starts afresh.
    expect(sizes[0]).toBe(2);
    expect(sizes[1]).toBe(EMBED_BATCH);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(result.chunksCreated);
    expect(calls.every((c) => c.model === 'm' && c.dataClass === 'CONFIDENTIAL')).toBe(true);
    expect(result.cost).toBe(BigInt(result.chunksCreated * 10));
    expect(await index.count(collection.id)).toBe(result.chunksCreated);
    const stored = (await store.collectionById(collection.id))!;
    expect(stored).toMatchObject({
      dimensions: DIMENSIONS,
      documentCount: 4,
      chunkCount: result.chunksCreated,
    });
    expect(result.documents.map((d) => d.id)).toEqual(
      corpus.map((d) => documentIdOf(collection.id, d.key)),
    );
  });

  it('keeps what a call cut short had paid for, so its retry pays only for the rest', async () => {
    const collection = await newCollection();
    const failing = recordingInference(2);
    await expect(
      createIngest({ store, index, inference: () => failing.client })(caller, collection, corpus),
    ).rejects.toThrow('provider down');
    // The first group (a, b) was written before the big document's embed failed.
    expect((await store.collectionById(collection.id))!.documentCount).toBe(2);

    const retry = recordingInference();
    const result = await createIngest({ store, index, inference: () => retry.client })(
      caller,
      { ...collection, dimensions: DIMENSIONS },
      corpus,
    );
    expect(result).toMatchObject({ embeddedDocuments: 2, unchangedDocuments: 2 });
    expect(retry.calls.flatMap((c) => c.texts)).not.toContain('Alpha one.');
    expect((await store.collectionById(collection.id))!.documentCount).toBe(4);
  });

  it('replaces a changed document: new vectors in, old ones out, counts kept', async () => {
    const collection = await newCollection();
    const { client } = recordingInference();
    const ingest = createIngest({ store, index, inference: () => client });
    await ingest(
      caller,
      collection,
      checkDocuments([{ key: 'k', content: 'One. '.repeat(100) }], chunking),
    );
    const changed = await ingest(
      caller,
      { ...collection, dimensions: DIMENSIONS },
      checkDocuments([{ key: 'k', content: 'Two.' }], chunking),
    );
    expect(changed.chunksCreated).toBe(1);
    expect(await index.count(collection.id)).toBe(1);
    expect((await store.collectionById(collection.id))!).toMatchObject({
      documentCount: 1,
      chunkCount: 1,
    });
  });
});

describe('documentIdOf', () => {
  it('is a stable UUID per collection and key', () => {
    const id = documentIdOf('c1', 'doc.md');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(documentIdOf('c1', 'doc.md')).toBe(id);
    expect(documentIdOf('c2', 'doc.md')).not.toBe(id);
  });
});
