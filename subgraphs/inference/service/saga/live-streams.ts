import { unavailable } from '../../../../lib/service-client.js';

/**
 * The streams this replica is running, so that stopping the server ends each with a terminal
 * event (after aborting its provider call and charging what was delivered) instead of cutting it.
 */
export function createLiveStreams() {
  const live = new Set<{ stop(): void; settled: Promise<void> }>();
  let closing = false;
  return {
    get size() {
      return live.size;
    },
    /** Refuses a new stream once shutdown has begun. */
    assertOpen() {
      if (closing) throw unavailable('The inference service');
    },
    /** Tracks a stream until `settled`; `stop` ends it with a terminal event. */
    add(stop: () => void, settled: Promise<void>) {
      const entry = { stop, settled };
      live.add(entry);
      void settled.finally(() => live.delete(entry));
    },
    /** Stops every stream and waits until each has charged and sent its last event. */
    async shutdown() {
      closing = true;
      const entries = [...live];
      for (const entry of entries) entry.stop();
      await Promise.all(entries.map((e) => e.settled.catch(() => undefined)));
    },
  };
}

export type LiveStreams = ReturnType<typeof createLiveStreams>;
