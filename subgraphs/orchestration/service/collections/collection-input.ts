import { badUserInput } from '../../../../lib/errors.js';
import { assertUuid } from '../../../../lib/ids.js';
import type { DataClass } from '../../clients/inference-client.js';
import { DEFAULT_MAX_CHARS, DEFAULT_OVERLAP_CHARS } from './chunking.js';

/** A new collection as a caller sends it. */
export interface CollectionInput {
  teamId: string;
  name: string;
  description?: string | null;
  dataClass?: DataClass | null;
  embeddingModel: string;
  chunking?: { maxChars?: number | null; overlapChars?: number | null } | null;
}

/** The chunk sizes a collection may choose, in characters. */
export const CHUNK_MAX_CHARS = { least: 200, most: 4_000 };

/** Checks a new collection (BAD_USER_INPUT naming the field) and fills in its defaults. */
export function checkCollectionInput(input: CollectionInput) {
  const teamId = assertUuid(input.teamId, 'teamId');
  const name = input.name.trim();
  if (name.length < 1 || name.length > 100) {
    throw badUserInput('name must be 1 to 100 characters.', { field: 'name' });
  }
  if ((input.description ?? '').length > 1000) {
    throw badUserInput('description must be at most 1000 characters.', { field: 'description' });
  }
  const embeddingModel = input.embeddingModel.trim();
  if (embeddingModel.length < 1 || embeddingModel.length > 200) {
    throw badUserInput('embeddingModel must be 1 to 200 characters.', { field: 'embeddingModel' });
  }
  const maxChars = input.chunking?.maxChars ?? DEFAULT_MAX_CHARS;
  if (
    !Number.isInteger(maxChars) ||
    maxChars < CHUNK_MAX_CHARS.least ||
    maxChars > CHUNK_MAX_CHARS.most
  ) {
    throw badUserInput(
      `chunking.maxChars must be ${CHUNK_MAX_CHARS.least} to ${CHUNK_MAX_CHARS.most}.`,
      { field: 'chunking.maxChars' },
    );
  }
  const overlapChars =
    input.chunking?.overlapChars ?? Math.min(DEFAULT_OVERLAP_CHARS, maxChars / 2);
  if (!Number.isInteger(overlapChars) || overlapChars < 0 || overlapChars > maxChars / 2) {
    throw badUserInput('chunking.overlapChars must be 0 to half of maxChars.', {
      field: 'chunking.overlapChars',
    });
  }
  return {
    teamId,
    name,
    description: input.description ?? null,
    dataClass: input.dataClass ?? 'INTERNAL',
    embeddingModel,
    chunkMaxChars: maxChars,
    chunkOverlapChars: overlapChars,
  };
}
