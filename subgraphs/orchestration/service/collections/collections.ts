import { randomUUID } from 'node:crypto';
import type { Principal } from '../../../../lib/auth/principal.js';
import { badUserInput, conflict, notFound } from '../../../../lib/errors.js';
import { assertUuid, isUuid } from '../../../../lib/ids.js';
import { compileFilter } from '../../../../lib/vectors/metadata-filter.js';
import type { MetadataFilter, VectorIndex } from '../../../../lib/vectors/vector-index.js';
import type { AuditClient } from '../../clients/audit-client.js';
import type {
  DataClass,
  FlowStepPayment,
  InferenceClient,
  ModelCaller,
} from '../../clients/inference-client.js';
import type { CollectionRow } from '../../store/collection-rows.js';
import type { CollectionStore } from '../../store/collection-store.js';
import { administrable, readable, usable } from './collection-access.js';
import { checkCollectionInput, type CollectionInput } from './collection-input.js';
import { checkDocuments, type DocumentInput } from './document-input.js';
import { createIngest, type IngestResult } from './ingest.js';

/** A chunk a search found, with its document and its cosine similarity to the query. */
export interface ChunkMatch {
  chunkId: string;
  documentId: string;
  documentTitle: string | null;
  text: string;
  score: number;
  ordinal: number;
  /** Offsets of `text` in its document. */
  start: number;
  end: number;
  /** The chunk's vector metadata: the document's own, with documentId, ordinal and section. */
  metadata: Record<string, unknown>;
}

/** What a search is asked. */
export interface SearchQuery {
  text: string;
  topK: number;
  minScore?: number;
  filter?: MetadataFilter;
  flowStep?: FlowStepPayment;
}

/** What a search answers. */
export interface SearchAnswer {
  matches: ChunkMatch[];
  /** µcr, as the ledger charged the query's embed. */
  cost: bigint;
  inputTokens: number;
}

/** What an ingest answers: what it did, and the collection after it. */
export type IngestAnswer = IngestResult & { collection: CollectionRow };

/** Who is asking, outside a model call. */
export interface CollectionCaller {
  principal: Principal;
  requestId: string;
}

/** The most matches one search answers. */
export const MAX_SEARCH_TOP_K = 100;
/** The longest query text. */
export const MAX_QUERY_CHARS = 8_000;

/**
 * Retrieval collections (decision 102): a team's documents, chunked (chunking.ts), embedded
 * through inference's paid `embed` for the caller with the collection's model and data class, and
 * searched through the vector index. Who may do what is in collection-access.ts.
 */
export function createCollections(deps: {
  store: CollectionStore;
  index: VectorIndex;
  /** Read per call: in one process inference starts after orchestration. */
  inference: () => InferenceClient;
  audit: AuditClient;
}) {
  const { store, index, audit } = deps;
  const ingest = createIngest(deps);

  const byId = async (id: string) => (isUuid(id) ? store.collectionById(id.toLowerCase()) : null);

  /** The collection of the caller's team that the caller may call the model for. */
  const forModelCall = async (caller: ModelCaller, id: string) => {
    const collection = await byId(id);
    if (collection?.teamId !== caller.teamId) throw notFound('Collection', id);
    return usable(caller.principal, collection, id);
  };

  return {
    async collection(caller: CollectionCaller, id: string): Promise<CollectionRow | null> {
      try {
        return readable(caller.principal, await byId(id), id);
      } catch {
        return null;
      }
    },

    /** The model caller a GraphQL request makes a paid call as: for the collection's team. */
    async modelCallerFor(caller: CollectionCaller, id: string): Promise<ModelCaller> {
      const collection = usable(caller.principal, await byId(id), id);
      return { ...caller, teamId: collection.teamId };
    },

    /** The collection's data class, for the team's run; NOT_FOUND unless it is the team's. */
    async dataClassOf(teamId: string, collectionId: string): Promise<DataClass> {
      const collection = await byId(collectionId);
      if (!collection || collection.teamId !== teamId) throw notFound('Collection', collectionId);
      return collection.dataClass;
    },

    /** The model the collection embeds with, for the team's run; NOT_FOUND unless it is the team's. */
    async embeddingModelOf(teamId: string, collectionId: string): Promise<string> {
      const collection = await byId(collectionId);
      if (!collection || collection.teamId !== teamId) throw notFound('Collection', collectionId);
      return collection.embeddingModel;
    },

    async createCollection(
      caller: CollectionCaller,
      input: CollectionInput,
    ): Promise<CollectionRow> {
      const checked = checkCollectionInput(input);
      const created = await store.insertCollection({
        id: randomUUID(),
        ...checked,
        createdBy: caller.principal.id,
      });
      if (!created) throw conflict(`The team already has a collection named "${checked.name}".`);
      await audit.record({
        teamId: created.teamId,
        action: 'COLLECTION_CREATED',
        outcome: 'SUCCEEDED',
        targetType: 'Collection',
        targetId: created.id,
        details: {
          by: caller.principal.id,
          name: created.name,
          dataClass: created.dataClass,
          embeddingModel: created.embeddingModel,
        },
        requestId: caller.requestId,
      });
      return created;
    },

    async deleteCollection(caller: CollectionCaller, id: string): Promise<CollectionRow> {
      const collection = administrable(caller.principal, await byId(id), id);
      if (!(await store.deleteCollection(collection.id))) throw notFound('Collection', id);
      await index.dropCollection(collection.id);
      await audit.record({
        teamId: collection.teamId,
        action: 'COLLECTION_DELETED',
        outcome: 'SUCCEEDED',
        targetType: 'Collection',
        targetId: collection.id,
        details: {
          by: caller.principal.id,
          name: collection.name,
          documents: collection.documentCount,
        },
        requestId: caller.requestId,
      });
      return collection;
    },

    /**
     * Chunks, embeds (paid by `caller`) and stores documents; a document whose key is stored with
     * the same content is left as it is and costs nothing.
     */
    async ingestDocuments(
      caller: ModelCaller,
      collectionId: string,
      documents: readonly DocumentInput[],
    ): Promise<IngestAnswer> {
      const collection = await forModelCall(caller, collectionId);
      const checked = checkDocuments(documents, {
        maxChars: collection.chunkMaxChars,
        overlapChars: collection.chunkOverlapChars,
      });
      const result = await ingest(caller, collection, checked);
      return { ...result, collection: (await store.collectionById(collection.id)) ?? collection };
    },

    async deleteDocument(
      caller: CollectionCaller,
      collectionId: string,
      documentId: string,
    ): Promise<CollectionRow> {
      const collection = usable(caller.principal, await byId(collectionId), collectionId);
      const removed = isUuid(documentId)
        ? await store.deleteDocument(collection.id, documentId.toLowerCase())
        : null;
      if (!removed) throw notFound('Document', documentId);
      if (collection.dimensions !== null) {
        await index.delete(collection.id, removed.removedChunkIds);
      }
      return (await store.collectionById(collection.id)) ?? collection;
    },

    /**
     * Embeds `query` with the collection's model (paid by `caller`, or from a flow run's hold via
     * flowStep) and answers the best chunks.
     */
    async search(
      caller: ModelCaller,
      collectionId: string,
      query: SearchQuery,
    ): Promise<SearchAnswer> {
      const collection = await forModelCall(caller, collectionId);
      if (query.text.trim().length === 0 || query.text.length > MAX_QUERY_CHARS) {
        throw badUserInput(`The query is 1 to ${MAX_QUERY_CHARS} characters.`, { field: 'query' });
      }
      if (!Number.isInteger(query.topK) || query.topK < 1 || query.topK > MAX_SEARCH_TOP_K) {
        throw badUserInput(`topK is 1 to ${MAX_SEARCH_TOP_K}.`, { field: 'topK' });
      }
      if (query.minScore !== undefined && !(query.minScore >= -1 && query.minScore <= 1)) {
        throw badUserInput('minScore is between -1 and 1.', { field: 'minScore' });
      }
      // Checked before the paid call: bad input costs nothing.
      compileFilter(query.filter);
      if (collection.dimensions === null) return { matches: [], cost: 0n, inputTokens: 0 };
      const answer = await deps.inference().embed(caller, {
        model: collection.embeddingModel,
        texts: [query.text],
        dataClass: collection.dataClass,
        ...(query.flowStep ? { flowStep: query.flowStep } : {}),
      });
      const found = await index.search(collection.id, answer.vectors[0]!, {
        topK: query.topK,
        minScore: query.minScore,
        filter: query.filter,
      });
      const chunks = new Map(
        (
          await store.chunksByIds(
            collection.id,
            found.map((m) => m.id),
          )
        ).map((c) => [c.id, c]),
      );
      const matches = found.flatMap((m): ChunkMatch[] => {
        const chunk = chunks.get(m.id);
        if (!chunk) return [];
        const { id, section: _section, ...rest } = chunk;
        return [{ ...rest, chunkId: id, score: m.score, metadata: m.metadata }];
      });
      return { matches, cost: BigInt(answer.cost), inputTokens: answer.usage.inputTokens };
    },

    collectionsOfTeam: (teamId: string, limit: number, after: string | null) =>
      store.collectionsOfTeam(assertUuid(teamId, 'teamId'), limit, after),
    countOfTeam: (teamId: string) => store.countOfTeam(teamId),
    documentsOf: (collectionId: string, limit: number, afterKey: string | null) =>
      store.documentsOf(collectionId, limit, afterKey),
  };
}

export type Collections = ReturnType<typeof createCollections>;
