import { createHash } from 'node:crypto';
import type { Kv } from '../../../lib/kv/index.js';
import type { ChatMessage, FinishReason, TokenUsage } from '../providers/types.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');
// Ids go inside the hash tag; encoding keeps a stray `}` from ending it.
const tag = (id: string) => `{${encodeURIComponent(id)}}`;

/** A deterministic generation as it is cached: enough to answer again without the provider. */
export interface CachedGeneration {
  modelId: string;
  priceVersion: number;
  text: string;
  finishReason: FinishReason;
  usage: TokenUsage;
}

/** What makes two generation requests the same (the model's price versions included). */
export interface GenerationKey {
  route: string;
  /** `<modelId>@<priceVersion>` of every target the call may use. */
  versions: string[];
  messages: ChatMessage[];
  maxTokens: number;
  temperature: number;
}

/**
 * The response cache in the shared store: deterministic generations (temperature 0) by model,
 * price version, messages and parameters; embeddings by model and text hash, stored as float32.
 * A TTL of 0 turns a cache off.
 */
export function createResponseCache(
  kv: Kv,
  ttl: { generationSeconds: number; embeddingSeconds: number },
) {
  const embeddingKey = (modelId: string, text: string) => `emb:${tag(modelId)}:${sha256(text)}`;

  return {
    generationKey(key: GenerationKey): string {
      return `gen:${tag(key.route)}:${sha256(JSON.stringify(key))}`;
    },

    async getGeneration(key: string): Promise<CachedGeneration | null> {
      if (ttl.generationSeconds === 0) return null;
      const value = await kv.get(key);
      return value ? (JSON.parse(value) as CachedGeneration) : null;
    },

    async putGeneration(key: string, generation: CachedGeneration): Promise<void> {
      if (ttl.generationSeconds === 0) return;
      await kv.set(key, JSON.stringify(generation), { ttlMs: ttl.generationSeconds * 1000 });
    },

    /** The cached vector of each text, null where there is none. */
    async getEmbeddings(modelId: string, texts: readonly string[]): Promise<(number[] | null)[]> {
      if (ttl.embeddingSeconds === 0 || texts.length === 0) return texts.map(() => null);
      const values = await kv.mget(texts.map((text) => embeddingKey(modelId, text)));
      return values.map((value) => (value ? decodeVector(value) : null));
    },

    async putEmbeddings(modelId: string, entries: Array<[string, number[]]>): Promise<void> {
      if (ttl.embeddingSeconds === 0) return;
      await Promise.all(
        entries.map(([text, vector]) =>
          kv.set(embeddingKey(modelId, text), encodeVector(vector), {
            ttlMs: ttl.embeddingSeconds * 1000,
          }),
        ),
      );
    },
  };
}

export type ResponseCache = ReturnType<typeof createResponseCache>;

/** Vectors are kept as float32 in base64: a quarter of JSON's size, and float32 is what providers compute in. */
export function encodeVector(vector: readonly number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64');
}

export function decodeVector(encoded: string): number[] {
  // A copy: Buffer's pooled memory need not be aligned for a Float32Array view.
  const bytes = new Uint8Array(Buffer.from(encoded, 'base64'));
  return Array.from(new Float32Array(bytes.buffer));
}
