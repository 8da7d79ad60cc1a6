import { createHash } from 'node:crypto';
import type { Kv } from '../../../../lib/kv/index.js';
import type { CacheLookups } from '../../../../lib/metrics.js';
import type {
  ChatMessage,
  FinishReason,
  ResponseFormat,
  TokenUsage,
  ToolCall,
  ToolChoice,
  ToolDefinition,
} from '../../providers/types.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');
// Ids go inside the hash tag; encoding keeps a stray `}` from ending it.
const tag = (id: string) => `{${encodeURIComponent(id)}}`;

/** A deterministic generation as it is cached: enough to answer again without the provider. */
export interface CachedGeneration {
  modelId: string;
  priceVersion: number;
  text: string;
  /** The tools the model called; absent on answers kept before tools existed. */
  toolCalls?: ToolCall[];
  finishReason: FinishReason;
  usage: TokenUsage;
}

/** What makes two generation requests the same (the team and the models' price versions included). */
export interface GenerationKey {
  /**
   * The team asking: a hit must never tell one team what another team asked (decision 33), so
   * answers are cached and shared per team.
   */
  teamId: string;
  route: string;
  /** `<modelId>@<priceVersion>` of every target the call may use. */
  versions: string[];
  messages: ChatMessage[];
  maxTokens: number;
  temperature: number;
  /** Undefined ones drop out of the key, so calls without tools keep their keys. */
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  responseFormat?: ResponseFormat;
}

/**
 * The response cache in the shared store, per team: deterministic generations (temperature 0) by
 * route, price versions, messages and parameters; embeddings by model and text hash, stored as
 * float32. Each team's entries share its hash tag. A TTL of 0 turns a cache off. `lookups`
 * counts hits and misses (caches `generation` and `embedding`, one lookup per text).
 */
export function createResponseCache(
  kv: Kv,
  ttl: { generationSeconds: number; embeddingSeconds: number },
  lookups: CacheLookups = () => undefined,
) {
  const embeddingKey = (teamId: string, modelId: string, text: string) =>
    `emb:${tag(teamId)}:${encodeURIComponent(modelId)}:${sha256(text)}`;

  return {
    generationKey(key: GenerationKey): string {
      return `gen:${tag(key.teamId)}:${sha256(JSON.stringify(key))}`;
    },

    async getGeneration(key: string): Promise<CachedGeneration | null> {
      if (ttl.generationSeconds === 0) return null;
      const value = await kv.get(key);
      lookups('generation', value ? 1 : 0, value ? 0 : 1);
      return value ? (JSON.parse(value) as CachedGeneration) : null;
    },

    async putGeneration(key: string, generation: CachedGeneration): Promise<void> {
      if (ttl.generationSeconds === 0) return;
      await kv.set(key, JSON.stringify(generation), { ttlMs: ttl.generationSeconds * 1000 });
    },

    /** The team's cached vector of each text, null where there is none. */
    async getEmbeddings(
      teamId: string,
      modelId: string,
      texts: readonly string[],
    ): Promise<(number[] | null)[]> {
      if (ttl.embeddingSeconds === 0 || texts.length === 0) return texts.map(() => null);
      const values = await kv.mget(texts.map((text) => embeddingKey(teamId, modelId, text)));
      const hits = values.filter(Boolean).length;
      lookups('embedding', hits, values.length - hits);
      return values.map((value) => (value ? decodeVector(value) : null));
    },

    async putEmbeddings(
      teamId: string,
      modelId: string,
      entries: Array<[string, number[]]>,
    ): Promise<void> {
      if (ttl.embeddingSeconds === 0) return;
      await Promise.all(
        entries.map(([text, vector]) =>
          kv.set(embeddingKey(teamId, modelId, text), encodeVector(vector), {
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
