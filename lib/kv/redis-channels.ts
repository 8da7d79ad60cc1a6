import type { Redis } from 'ioredis';
import type { ChannelListener } from './types.js';

/**
 * Publish and subscribe for the Redis store. Subscriptions share one connection of their own
 * (a subscribed connection can run nothing else), opened at the first one. Channel names carry the
 * store's key prefix, as keys do, so runs sharing a server do not hear each other. While that
 * connection is down, listeners hear `live(false)` (messages may be missed meanwhile), and
 * `live(true)` once it has subscribed again.
 */
export function createRedisChannels(redis: Redis, keyPrefix: string) {
  const listeners = new Map<string, Set<ChannelListener>>();
  let subscriber: Redis | undefined;
  const named = (channel: string) => `${keyPrefix}${channel}`;

  /** Subscribes `channel` and tells `told` (by default every listener of it) it is live. */
  const join = (sub: Redis, channel: string, told?: ChannelListener) =>
    sub.subscribe(channel).then(
      () => {
        for (const listener of told ? [told] : (listeners.get(channel) ?? [])) listener.live(true);
      },
      () => undefined, // the connection dropped meanwhile: 'ready' subscribes again
    );

  function open(): Redis {
    // Named after the prefix, so an operator (or a test) can tell whose subscriber it is.
    const sub = redis.duplicate({
      keyPrefix: '',
      lazyConnect: false,
      connectionName: `${keyPrefix}channels`,
    });
    sub.on('error', () => undefined);
    sub.on('message', (channel: string, text: string) => {
      for (const listener of listeners.get(channel) ?? []) listener.message(text);
    });
    sub.on('close', () => {
      for (const set of listeners.values()) for (const listener of set) listener.live(false);
    });
    sub.on('ready', () => {
      for (const channel of listeners.keys()) void join(sub, channel);
    });
    return sub;
  }

  return {
    async publish(channel: string, message: string): Promise<void> {
      await redis.publish(named(channel), message);
    },

    subscribe(channel: string, listener: ChannelListener): () => Promise<void> {
      const name = named(channel);
      const set = listeners.get(name) ?? new Set<ChannelListener>();
      listeners.set(name, set.add(listener));
      subscriber ??= open();
      // Live already: only the newcomer is told (others were, and must not hear it twice).
      if (subscriber.status === 'ready') void join(subscriber, name, listener);
      return async () => {
        set.delete(listener);
        if (set.size > 0 || listeners.get(name) !== set) return;
        listeners.delete(name);
        await subscriber?.unsubscribe(name).catch(() => undefined);
      };
    },

    close(): void {
      subscriber?.disconnect();
      listeners.clear();
    },
  };
}
