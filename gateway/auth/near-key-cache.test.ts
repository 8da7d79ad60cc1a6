import { REVOKED_KEYS_CHANNEL } from '../../lib/auth/api-key.js';
import type { ChannelListener, Kv } from '../../lib/kv/index.js';
import { createMemoryKv } from '../../lib/kv/memory.js';
import { NEAR_KEY_TTL_MS, createNearKeyCache } from './near-key-cache.js';
import type { KeyLookup } from './policy-client.js';

const valid = (id: string): KeyLookup => ({
  principal: { id: `key:${id}` } as KeyLookup['principal'],
  expiresAt: null,
});

/** A store whose channel the test drives: its listener, to say live or not and to announce. */
function drivenChannel() {
  let listener: ChannelListener | undefined;
  const kv = {
    subscribe: (channel: string, l: ChannelListener) => {
      expect(channel).toBe(REVOKED_KEYS_CHANNEL);
      listener = l;
      return async () => undefined;
    },
  } as unknown as Kv;
  return { kv, channel: () => listener! };
}

describe("a gateway replica's near key cache", () => {
  let clock = 1_000_000;
  const now = () => clock;

  it('keeps nothing until its channel is live, then keeps a lookup for a few seconds at most', () => {
    const { kv, channel } = drivenChannel();
    const near = createNearKeyCache(kv, now);
    near.put('h1', valid('1'), 30_000, near.mark());
    expect(near.get('h1')).toBeUndefined();
    channel().live(true);
    near.put('h1', valid('1'), 30_000, near.mark());
    near.put('h2', valid('2'), 1_000, near.mark());
    expect(near.get('h1')).toEqual(valid('1'));
    clock += 1_000;
    expect(near.get('h2')).toBeUndefined(); // its own ttl was shorter
    clock += NEAR_KEY_TTL_MS - 1_000;
    expect(near.get('h1')).toBeUndefined();
  });

  it('drops an announced key, and everything when the channel goes down', () => {
    const { kv, channel } = drivenChannel();
    const near = createNearKeyCache(kv, now);
    channel().live(true);
    near.put('h1', valid('1'), 30_000, near.mark());
    near.put('h2', valid('2'), 30_000, near.mark());
    channel().message('h1');
    expect(near.get('h1')).toBeUndefined();
    expect(near.get('h2')).toEqual(valid('2'));
    channel().live(false);
    expect(near.get('h2')).toBeUndefined();
    near.put('h2', valid('2'), 30_000, near.mark());
    expect(near.get('h2')).toBeUndefined(); // announcements could be missed meanwhile
  });

  it('does not keep a lookup that was under way when a revocation was announced', () => {
    const { kv, channel } = drivenChannel();
    const near = createNearKeyCache(kv, now);
    channel().live(true);
    const mark = near.mark();
    channel().message('h1'); // revoked while the key store was answering "valid"
    near.put('h1', valid('1'), 30_000, mark);
    expect(near.get('h1')).toBeUndefined();
  });

  it('hears revocations published on the store (embedded store)', async () => {
    const store = createMemoryKv();
    const near = createNearKeyCache(store, now);
    await new Promise((resolve) => setImmediate(resolve)); // subscribed
    near.put('h1', valid('1'), 30_000, near.mark());
    expect(near.get('h1')).toEqual(valid('1'));
    await store.publish(REVOKED_KEYS_CHANNEL, 'h1');
    expect(near.get('h1')).toBeUndefined();
    await near.close();
    await store.close();
  });
});
