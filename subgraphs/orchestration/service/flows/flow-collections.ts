import type { DataClass, FlowStepPayment, ModelCaller } from '../../clients/inference-client.js';

/** Metadata equality filters of a search: each key must equal its value. */
export type MetadataFilter = Record<string, unknown>;

/** One chunk a search found, with where it sits in its document. */
export interface CollectionMatch {
  chunkId: string;
  documentId: string;
  documentTitle: string | null;
  text: string;
  score: number;
  ordinal: number;
  start: number;
  end: number;
  metadata: Record<string, unknown>;
}

/**
 * The retrieval collections service (service/collections/) as flows use it: a collection's data
 * class and embedding model, and a search made for a caller whose query embedding is paid from
 * the run's hold when `flowStep` is given.
 */
export interface FlowCollections {
  dataClassOf(teamId: string, collectionId: string): Promise<DataClass>;
  embeddingModelOf(teamId: string, collectionId: string): Promise<string>;
  search(
    caller: ModelCaller,
    collectionId: string,
    query: {
      text: string;
      topK: number;
      minScore?: number;
      filter?: MetadataFilter;
      flowStep?: FlowStepPayment;
    },
  ): Promise<{ matches: CollectionMatch[]; cost: bigint; inputTokens: number }>;
}
