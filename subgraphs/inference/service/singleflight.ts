/**
 * Identical concurrent work shares one run: the first caller of a key runs `fn`; callers that
 * arrive while it runs get the same outcome, marked `shared`. Used for deterministic generations
 * (temperature 0), so a burst of the same prompt makes one provider call.
 */
export function createSingleflight() {
  const flights = new Map<string, Promise<unknown>>();
  return {
    async run<T>(key: string, fn: () => Promise<T>): Promise<{ value: T; shared: boolean }> {
      const running = flights.get(key) as Promise<T> | undefined;
      if (running) return { value: await running, shared: true };
      const flight = fn();
      flights.set(key, flight);
      try {
        return { value: await flight, shared: false };
      } finally {
        flights.delete(key);
      }
    },
  };
}

export type Singleflight = ReturnType<typeof createSingleflight>;
