import type { Collections } from '../collections/collections.js';

/**
 * The retrieval collections service (service/collections/) as flows use it: a collection's data
 * class and embedding model, and a search made for a caller whose query embedding is paid from
 * the run's hold when `flowStep` is given.
 */
export type FlowCollections = Pick<Collections, 'dataClassOf' | 'embeddingModelOf' | 'search'>;
