import { codedError } from '../../../../lib/errors.js';

/** A stream ended by shutdown before its first token: nothing was charged, so a retry is safe. */
export const shuttingDown = () =>
  codedError(
    'SERVICE_UNAVAILABLE',
    'The server is shutting down before the stream started; nothing was charged. Retry.',
    { retryAfterSeconds: 1 },
  );

/** A stream being opened: from its first step until its first token or its refusal. */
export interface OpeningStream {
  /** Aborted when shutdown begins: the stream stops opening and ends with `shuttingDown()`. */
  signal: AbortSignal;
  /** It has started (and was `add`ed) or was refused: shutdown no longer waits for it. */
  done(): void;
}

/**
 * The streams this replica is running, so that stopping the server ends each with a terminal
 * event instead of cutting it: a started stream after aborting its provider call and charging
 * what was delivered, one still opening with SERVICE_UNAVAILABLE and nothing charged.
 */
export function createLiveStreams() {
  const live = new Set<{ stop(): void; settled: Promise<void> }>();
  let closing = false;
  const track = (stop: () => void, settled: Promise<void>) => {
    const entry = { stop, settled };
    live.add(entry);
    void settled.finally(() => live.delete(entry));
    // Started while shutdown was under way: end it as the others were.
    if (closing) stop();
  };
  return {
    /** Streams opening or started on this replica now. */
    get size() {
      return live.size;
    },
    /** A new stream, tracked until `done`; refused with SERVICE_UNAVAILABLE once shutdown began. */
    open(): OpeningStream {
      if (closing) throw shuttingDown();
      const stop = new AbortController();
      let done!: () => void;
      track(() => stop.abort(), new Promise<void>((resolve) => (done = resolve)));
      return { signal: stop.signal, done };
    },
    /** Tracks a started stream until `settled`; `stop` ends it with a terminal event. */
    add(stop: () => void, settled: Promise<void>) {
      track(stop, settled);
    },
    /**
     * Stops every stream, opening or started, and waits until each has charged (or voided its
     * hold) and sent its last event, including one that started while the others were stopping.
     */
    async shutdown() {
      closing = true;
      while (live.size > 0) {
        const entries = [...live];
        for (const entry of entries) entry.stop();
        await Promise.all(entries.map((e) => e.settled.catch(() => undefined)));
      }
    },
  };
}

export type LiveStreams = ReturnType<typeof createLiveStreams>;
