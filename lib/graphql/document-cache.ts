import { LRUCache } from 'lru-cache';
import {
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ParseOptions,
  type ValidationRule,
} from 'graphql';
import type { CacheLookups } from '../metrics.js';

/** A query text, parsed and validated: the document, or why it was refused. */
export type CheckedDocument =
  | { document: DocumentNode; parseError?: undefined; validationErrors?: undefined }
  | { parseError: GraphQLError; document?: undefined; validationErrors?: undefined }
  | { validationErrors: readonly GraphQLError[]; document: DocumentNode; parseError?: undefined };

/**
 * Parses and validates query texts once per schema, as Apollo Server's document store does for
 * /graphql: streams of one app send the same document again and again, and validating it each
 * time was a tenth of a stream's CPU. Bounded; a new schema (a supergraph reload) starts afresh.
 */
export function createDocumentCache(options: {
  rules?: readonly ValidationRule[];
  parseOptions?: ParseOptions;
  /** @default 1000 */
  max?: number;
  /** Counts hits and misses (cache `document`). */
  lookups?: CacheLookups;
}) {
  let forSchema: GraphQLSchema | undefined;
  const cache = new LRUCache<string, CheckedDocument>({ max: options.max ?? 1000 });
  return (schema: GraphQLSchema, query: string): CheckedDocument => {
    if (schema !== forSchema) {
      cache.clear();
      forSchema = schema;
    }
    const known = cache.get(query);
    options.lookups?.('document', known ? 1 : 0, known ? 0 : 1);
    if (known) return known;
    let checked: CheckedDocument;
    try {
      const document = parse(query, options.parseOptions);
      const errors = validate(schema, document, options.rules);
      checked = errors.length > 0 ? { document, validationErrors: errors } : { document };
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      checked = { parseError: error };
    }
    cache.set(query, checked);
    return checked;
  };
}

/**
 * `read` of a parsed document, computed once per document object. Apollo Server's document store
 * hands a repeated operation the same parsed document, so a check that walks the document (is it
 * introspection, does a literal hold a NUL byte) runs once per operation text, not per request.
 */
export function perDocument<T>(read: (document: DocumentNode) => T): (document: DocumentNode) => T {
  const known = new WeakMap<DocumentNode, T>();
  return (document) => {
    if (known.has(document)) return known.get(document)!;
    const value = read(document);
    known.set(document, value);
    return value;
  };
}
