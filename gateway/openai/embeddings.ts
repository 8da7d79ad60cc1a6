import { invalidRequest } from './errors.js';
import type { EmbeddingsResult } from './operations.js';

/** What an embeddings request asks for. */
export interface EmbeddingsCall {
  input: { model: string; texts: string[]; teamId?: string };
  encoding: 'float' | 'base64';
  /** The length the caller asked for; the model's own is the only one served. */
  dimensions: number | undefined;
}

/**
 * Reads a `POST /v1/embeddings` body. Token arrays (OpenAI accepts pre-tokenized input) are
 * refused: the platform counts, caches and bills texts.
 */
export function readEmbeddingsRequest(body: unknown, teamId: string | undefined): EmbeddingsCall {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest('The body must be a JSON object.');
  }
  const { model, input, encoding_format: format, dimensions } = body as Record<string, unknown>;
  if (typeof model !== 'string' || model === '')
    throw invalidRequest('model is required.', 'model');
  let texts: string[];
  if (typeof input === 'string') texts = [input];
  else if (Array.isArray(input) && input.length > 0 && input.every((t) => typeof t === 'string')) {
    texts = input as string[];
  } else {
    throw invalidRequest(
      'input must be a string or a non-empty array of strings (token arrays are not supported).',
      'input',
    );
  }
  if (format !== undefined && format !== null && format !== 'float' && format !== 'base64') {
    throw invalidRequest('encoding_format must be "float" or "base64".', 'encoding_format');
  }
  if (
    dimensions !== undefined &&
    dimensions !== null &&
    (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1)
  ) {
    throw invalidRequest('dimensions must be a positive integer.', 'dimensions');
  }
  return {
    input: { model, texts, ...(teamId !== undefined ? { teamId } : {}) },
    encoding: format === 'base64' ? 'base64' : 'float',
    dimensions: dimensions ?? undefined,
  };
}

/** A vector as OpenAI's base64 encoding: its float32 values, little-endian, base64. */
export function base64Vector(vector: number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
  return bytes.toString('base64');
}

/** An `embed` result as OpenAI's embeddings list. */
export function embeddingsList(result: EmbeddingsResult, encoding: 'float' | 'base64') {
  return {
    object: 'list',
    data: result.vectors.map((vector, index) => ({
      object: 'embedding',
      index,
      embedding: encoding === 'base64' ? base64Vector(vector) : vector,
    })),
    model: result.model.id,
    usage: { prompt_tokens: result.usage.inputTokens, total_tokens: result.usage.inputTokens },
  };
}
