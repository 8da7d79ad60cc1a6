import { createHash, randomUUID } from 'node:crypto';
import { conflict, notFound } from '../../../../lib/errors.js';
import type { VectorIndex } from '../../../../lib/vectors/vector-index.js';
import type { InferenceClient, ModelCaller } from '../../clients/inference-client.js';
import type { CollectionDocumentRow, CollectionRow } from '../../store/collection-rows.js';
import type { CollectionStore, DocumentWrite } from '../../store/collection-store.js';
import { chunkDocument } from './chunking.js';
import type { CheckedDocument } from './document-input.js';

/** Texts per embed call: under embed's 2,048, and small enough that a failed call wastes little. */
export const EMBED_BATCH = 256;

/** What one ingest did; `cost` and `inputTokens` are what inference charged for its embeds. */
export interface IngestResult {
  /** The call's documents in its order, as stored now. */
  documents: CollectionDocumentRow[];
  /** Documents embedded and written (new or changed). */
  embeddedDocuments: number;
  /** Documents already stored with the same content (nothing embedded or paid for them). */
  unchangedDocuments: number;
  chunksCreated: number;
  cost: bigint;
  inputTokens: number;
}

/**
 * A document's id: a UUID-shaped sha-256 of its collection and key (RFC 9562 version 8), known
 * before it is written, so its chunks' vectors carry it even when two calls write one key at once.
 */
export function documentIdOf(collectionId: string, key: string): string {
  const hex = createHash('sha256').update(`${collectionId}\n${key}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The text embedded for a chunk: its heading trail first, so a section's topic counts. */
export const embeddedText = (chunk: { text: string; section: string }) =>
  chunk.section ? `${chunk.section}\n\n${chunk.text}` : chunk.text;

/**
 * Writes checked documents into a collection: the unchanged are skipped, the rest are chunked,
 * embedded in groups of at most EMBED_BATCH texts with the collection's model and data class (paid
 * by `caller`), and each group's documents are written before the next group is embedded, so a
 * call cut short has kept what it paid for and a retry pays only for the rest. A document's new
 * vectors are written before its rows, and its old vectors deleted after: a chunk row is what
 * makes a vector visible (decision 102).
 */
export function createIngest(deps: {
  store: CollectionStore;
  index: VectorIndex;
  inference: () => InferenceClient;
}) {
  const { store, index } = deps;

  /** Makes sure the index has the collection with the dimensions the model answered with. */
  async function settleDimensions(collection: CollectionRow, dimensions: number) {
    if (collection.dimensions !== null && collection.dimensions === dimensions) return;
    if (collection.dimensions === null) await index.createCollection(collection.id, { dimensions });
    const stored = await store.settleDimensions(collection.id, dimensions);
    if (stored !== dimensions) {
      throw conflict(
        `${collection.embeddingModel} answered ${dimensions} dimensions; the collection's vectors have ${stored}.`,
        { reason: 'DIMENSION_MISMATCH', expected: stored, received: dimensions },
      );
    }
    collection.dimensions = dimensions;
  }

  return async function ingest(
    caller: ModelCaller,
    collection: CollectionRow,
    documents: CheckedDocument[],
  ): Promise<IngestResult> {
    const stored = new Map(
      (
        await store.documentsByKeys(
          collection.id,
          documents.map((d) => d.key),
        )
      ).map((d) => [d.key, d]),
    );
    const result = new Map<string, CollectionDocumentRow>();
    const changed: DocumentWrite[] = [];
    for (const d of documents) {
      const before = stored.get(d.key);
      if (before && before.contentHash === d.contentHash) {
        result.set(d.key, before);
        continue;
      }
      const chunks = chunkDocument(d.content, {
        format: d.format,
        maxChars: collection.chunkMaxChars,
        overlapChars: collection.chunkOverlapChars,
      }).map((chunk) => ({ ...chunk, id: randomUUID() }));
      changed.push({
        ...d,
        id: documentIdOf(collection.id, d.key),
        collectionId: collection.id,
        chars: d.content.length,
        chunks,
      });
    }
    let cost = 0n;
    let inputTokens = 0;
    let chunksCreated = 0;

    const embedAll = async (texts: string[]) => {
      const vectors: number[][] = [];
      for (let i = 0; i < texts.length; i += EMBED_BATCH) {
        const answer = await deps.inference().embed(caller, {
          model: collection.embeddingModel,
          texts: texts.slice(i, i + EMBED_BATCH),
          dataClass: collection.dataClass,
        });
        cost += BigInt(answer.cost);
        inputTokens += answer.usage.inputTokens;
        await settleDimensions(collection, answer.dimensions);
        vectors.push(...answer.vectors);
      }
      return vectors;
    };

    const writeGroup = async (group: DocumentWrite[]) => {
      const vectors = await embedAll(group.flatMap((d) => d.chunks.map(embeddedText)));
      let next = 0;
      for (const d of group) {
        await index.upsert(
          collection.id,
          d.chunks.map((chunk) => ({
            id: chunk.id,
            vector: vectors[next++]!,
            metadata: {
              ...d.metadata,
              documentId: d.id,
              ordinal: chunk.index,
              section: chunk.section,
            },
          })),
        );
        const written = await store.writeDocument(d).catch(async (error: unknown) => {
          // Best effort: vectors without rows are invisible, but they take room.
          await index
            .delete(
              collection.id,
              d.chunks.map((c) => c.id),
            )
            .catch(() => undefined);
          throw error;
        });
        if (!written) throw notFound('Collection', collection.id);
        await index.delete(collection.id, written.replacedChunkIds);
        result.set(d.key, written.document);
        chunksCreated += d.chunks.length;
      }
    };

    let group: DocumentWrite[] = [];
    let groupTexts = 0;
    for (const d of changed) {
      if (group.length > 0 && groupTexts + d.chunks.length > EMBED_BATCH) {
        await writeGroup(group);
        group = [];
        groupTexts = 0;
      }
      group.push(d);
      groupTexts += d.chunks.length;
    }
    if (group.length > 0) await writeGroup(group);

    return {
      documents: documents.map((d) => result.get(d.key)!),
      embeddedDocuments: changed.length,
      unchangedDocuments: documents.length - changed.length,
      chunksCreated,
      cost,
      inputTokens,
    };
  };
}
