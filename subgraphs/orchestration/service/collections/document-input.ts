import { createHash } from 'node:crypto';
import { badUserInput } from '../../../../lib/errors.js';
import type { DocumentFormat } from './chunking.js';

/** The most documents one ingestDocuments call takes. */
export const MAX_DOCUMENTS_PER_CALL = 100;
/** The most characters one document may have. */
export const MAX_DOCUMENT_CHARS = 200_000;
/** The most characters of all documents of one call. */
export const MAX_CALL_CHARS = 1_000_000;
/** Metadata as JSON, at most. */
export const MAX_METADATA_BYTES = 8_192;
/** Metadata names every chunk's vector carries itself: a document may not set them. */
export const RESERVED_METADATA = ['documentId', 'ordinal', 'section'] as const;

/** A document as a caller sends it. */
export interface DocumentInput {
  key?: string | null;
  title?: string | null;
  source?: string | null;
  format?: DocumentFormat | null;
  content: string;
  metadata?: unknown;
}

/** A document checked, with its key and content hash. */
export interface CheckedDocument {
  key: string;
  title: string | null;
  source: string | null;
  format: DocumentFormat;
  content: string;
  metadata: Record<string, unknown>;
  contentHash: string;
}

const limited = (value: string | null | undefined, most: number, field: string) => {
  if (value == null) return null;
  if (value.length > most)
    throw badUserInput(`${field} must be at most ${most} characters.`, { field });
  return value;
};

function checkMetadata(metadata: unknown, index: number): Record<string, unknown> {
  const field = `documents[${index}].metadata`;
  if (metadata == null) return {};
  if (typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw badUserInput("A document's metadata is a JSON object.", { field });
  }
  const reserved = RESERVED_METADATA.find((name) => name in metadata);
  if (reserved) {
    throw badUserInput(`"${reserved}" is set on every chunk by the platform; use another name.`, {
      field,
    });
  }
  if (Buffer.byteLength(JSON.stringify(metadata)) > MAX_METADATA_BYTES) {
    throw badUserInput(`A document's metadata is at most ${MAX_METADATA_BYTES} bytes of JSON.`, {
      field,
    });
  }
  return metadata as Record<string, unknown>;
}

/**
 * Checks one call's documents (BAD_USER_INPUT naming the first bad one). The hash covers what
 * the chunks' vectors and metadata are made of and the chunking options, so a document sent
 * again unchanged is neither embedded nor paid again.
 */
export function checkDocuments(
  documents: readonly DocumentInput[],
  chunking: { maxChars: number; overlapChars: number },
): CheckedDocument[] {
  if (documents.length < 1 || documents.length > MAX_DOCUMENTS_PER_CALL) {
    throw badUserInput(`Send 1 to ${MAX_DOCUMENTS_PER_CALL} documents per call.`, {
      field: 'documents',
    });
  }
  let total = 0;
  const keys = new Set<string>();
  return documents.map((d, i) => {
    if (d.content.trim().length === 0 || d.content.length > MAX_DOCUMENT_CHARS) {
      throw badUserInput(
        `A document's content is 1 to ${MAX_DOCUMENT_CHARS} characters, not only whitespace.`,
        { field: `documents[${i}].content` },
      );
    }
    total += d.content.length;
    if (total > MAX_CALL_CHARS) {
      throw badUserInput(`One call takes at most ${MAX_CALL_CHARS} characters of documents.`, {
        field: 'documents',
      });
    }
    const format = d.format ?? 'TEXT';
    const metadata = checkMetadata(d.metadata, i);
    const title = limited(d.title, 500, `documents[${i}].title`);
    const source = limited(d.source, 2_000, `documents[${i}].source`);
    const contentHash = createHash('sha256')
      .update(
        JSON.stringify([format, title, source, metadata, chunking.maxChars, chunking.overlapChars]),
      )
      .update('\n')
      .update(d.content)
      .digest('hex');
    const key = d.key ?? `sha256:${contentHash}`;
    if (key.length < 1 || key.length > 500) {
      throw badUserInput('A document key is 1 to 500 characters.', {
        field: `documents[${i}].key`,
      });
    }
    if (keys.has(key)) {
      throw badUserInput(`The key "${key}" is given to two documents of this call.`, {
        field: `documents[${i}].key`,
      });
    }
    keys.add(key);
    return { key, title, source, format, content: d.content, metadata, contentHash };
  });
}
