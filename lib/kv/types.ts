/**
 * The key-value operations the services share. Keys are plain strings; callers put the part that
 * must co-locate in Redis Cluster inside `{...}` (a hash tag), e.g. `rl:{team:42}:rpm`.
 */
export interface Kv {
  /** `redis` for a real server (`REDIS_URL`), `memory` for the in-process default. */
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | null>;
  mget(keys: readonly string[]): Promise<(string | null)[]>;
  /**
   * Sets `key`; with `onlyIfAbsent`, only when it does not exist. Returns whether it was written.
   */
  set(key: string, value: string, options?: SetOptions): Promise<boolean>;
  del(...keys: string[]): Promise<number>;
  /**
   * Adds `by` (an integer) and returns the new value; `ttlMs` is applied when the key has no
   * expiry yet (on creation, or to a key set without one), never extended.
   */
  incrBy(key: string, by: number, options?: { ttlMs?: number }): Promise<number>;
  /**
   * `incrBy` on several keys, each by its own amount, in one round trip (one script on Redis),
   * answered in order. The keys must share a hash tag (one slot in Redis Cluster).
   */
  incrByAll(
    increments: ReadonlyArray<readonly [key: string, by: number]>,
    options?: { ttlMs?: number },
  ): Promise<number[]>;
  /** Sends `message` to every subscriber of `channel`, on every replica sharing the store. */
  publish(channel: string, message: string): Promise<void>;
  /**
   * Hands `listener.message` what is published on `channel` from now on. `listener.live` says
   * whether delivery is up: false when messages may be missed (the subscription's connection is
   * down), true once it is subscribed again; the first `live(true)` comes once subscribed.
   * Returns what ends the subscription.
   */
  subscribe(channel: string, listener: ChannelListener): () => Promise<void>;
  /** Milliseconds until `key` expires; -1 without expiry, -2 when missing (as Redis PTTL). */
  pttl(key: string): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface ChannelListener {
  message(text: string): void;
  live(up: boolean): void;
}

export interface SetOptions {
  ttlMs?: number;
  onlyIfAbsent?: boolean;
}
