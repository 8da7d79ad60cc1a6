import { createMemoryKv } from './memory.js';
import { createRedisKv } from './redis.js';
import type { Kv } from './types.js';

export type { ChannelListener, Kv, SetOptions } from './types.js';

/** Redis when `url` is set, otherwise the in-process store with the same contract. */
export function createKv(options: { url?: string; keyPrefix?: string }): Promise<Kv> {
  return options.url
    ? createRedisKv({ url: options.url, keyPrefix: options.keyPrefix })
    : Promise.resolve(createMemoryKv());
}
