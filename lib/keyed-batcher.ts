/**
 * Per-key group commit: at most one batch per key is in flight; requests that arrive while it is
 * run together as the next batch. A lone request runs at once, as a batch of one, so batching adds
 * no latency when there is no contention. `run` returns one result (or Error) per request, in order.
 */
export function createKeyedBatcher<Req, Res>(
  run: (key: string, batch: Req[]) => Promise<Array<Res | Error>>,
  maxBatch = 128,
) {
  type Waiter = { req: Req; resolve: (res: Res) => void; reject: (error: unknown) => void };
  const queues = new Map<string, Waiter[]>();

  const drain = async (key: string, waiting: Waiter[]) => {
    while (waiting.length > 0) {
      const batch = waiting.splice(0, maxBatch);
      try {
        const results = await run(
          key,
          batch.map((w) => w.req),
        );
        batch.forEach((w, i) => {
          const result = results[i];
          if (result instanceof Error) w.reject(result);
          else w.resolve(result as Res);
        });
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    queues.delete(key);
  };

  return (key: string, req: Req): Promise<Res> =>
    new Promise<Res>((resolve, reject) => {
      const waiting = queues.get(key);
      if (waiting) {
        waiting.push({ req, resolve, reject });
        return;
      }
      const fresh: Waiter[] = [{ req, resolve, reject }];
      queues.set(key, fresh);
      void drain(key, fresh);
    });
}

/** Runs each request's own path one after another, collecting results and errors in order. */
export async function oneByOne<Res>(
  batch: ReadonlyArray<{ single: () => Promise<Res> }>,
): Promise<Array<Res | Error>> {
  const results: Array<Res | Error> = [];
  for (const req of batch) {
    try {
      results.push(await req.single());
    } catch (error) {
      results.push(error instanceof Error ? error : new Error(String(error)));
    }
  }
  return results;
}
