import { typed } from './typed-document.js';

export interface CollectionFields {
  id: string;
  teamId: string;
  name: string;
  dataClass: string;
  embeddingModel: string;
  dimensions: number | null;
  documentCount: number;
  chunkCount: number;
}

const COLLECTION_FIELDS =
  'id teamId name dataClass embeddingModel dimensions documentCount chunkCount';

export interface DocumentFields {
  id: string;
  key: string;
  title: string | null;
  chunkCount: number;
  metadata: Record<string, unknown>;
}

export interface Match {
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

export const CREATE_COLLECTION = typed<
  { createCollection: CollectionFields },
  { input: Record<string, unknown> }
>(
  `mutation($input: CreateCollectionInput!) { createCollection(input: $input) { ${COLLECTION_FIELDS} } }`,
);

export const INGEST = typed<
  {
    ingestDocuments: {
      collection: CollectionFields;
      documents: DocumentFields[];
      embeddedDocuments: number;
      unchangedDocuments: number;
      chunksCreated: number;
      inputTokens: number;
      cost: string;
    };
  },
  { id: string; documents: Array<Record<string, unknown>> }
>(`mutation($id: ID!, $documents: [DocumentInput!]!) {
  ingestDocuments(collectionId: $id, documents: $documents) {
    collection { ${COLLECTION_FIELDS} }
    documents { id key title chunkCount metadata }
    embeddedDocuments unchangedDocuments chunksCreated inputTokens cost } }`);

export const SEARCH = typed<
  { searchCollection: { matches: Match[]; inputTokens: number; cost: string } },
  { id: string; query: string; topK?: number; minScore?: number; filter?: unknown }
>(`query($id: ID!, $query: String!, $topK: Int, $minScore: Float, $filter: JSON) {
  searchCollection(collectionId: $id, query: $query, topK: $topK, minScore: $minScore, filter: $filter) {
    matches { chunkId documentId documentTitle text score ordinal start end metadata }
    inputTokens cost } }`);

export const COLLECTION = typed<
  {
    collection:
      | (CollectionFields & {
          documents: { totalCount: number; edges: Array<{ node: DocumentFields }> };
        })
      | null;
  },
  { id: string }
>(`query($id: ID!) { collection(id: $id) { ${COLLECTION_FIELDS}
  documents(first: 50) { totalCount edges { node { id key title chunkCount metadata } } } } }`);

export const COLLECTIONS = typed<
  { collections: { totalCount: number; edges: Array<{ node: { name: string } }> } },
  { team: string }
>(`query($team: ID!) { collections(teamId: $team) { totalCount edges { node { name } } } }`);

export const DELETE_DOCUMENT = typed<
  { deleteCollectionDocument: CollectionFields },
  { id: string; documentId: string }
>(`mutation($id: ID!, $documentId: ID!) {
  deleteCollectionDocument(collectionId: $id, documentId: $documentId) { ${COLLECTION_FIELDS} } }`);

export const DELETE_COLLECTION = typed<{ deleteCollection: CollectionFields }, { id: string }>(
  `mutation($id: ID!) { deleteCollection(id: $id) { ${COLLECTION_FIELDS} } }`,
);

export const COLLECTION_AUDIT = typed<
  { auditLog: { edges: Array<{ node: { action: string; targetId: string } }> } },
  { team: string }
>(`query($team: ID!) {
  auditLog(teamId: $team, filter: { actions: ["COLLECTION_CREATED", "COLLECTION_DELETED"] }) {
    edges { node { action targetId } } } }`);
