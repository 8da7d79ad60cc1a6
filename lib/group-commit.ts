/** How a group-commit batcher sends. */
export interface GroupCommitOptions {
  /** Batches in flight at once; items that arrive while every slot is busy wait and go together. */
  inFlight: number;
  /** Most items one batch carries. */
  mostPerBatch: number;
}

interface Waiting<Item, Answer> {
  item: Item;
  resolve(answer: Answer): void;
  reject(error: unknown): void;
}

/**
 * Group commit without a timer: an item goes at once when a slot is free, and those that arrive
 * while every slot is busy go together in the next batch, so batching adds no wait when there is
 * no contention. `send` answers each item in order, an Error refusing that item only; a batch that
 * throws rejects all of its items. `idle()` resolves once nothing is queued or in flight (a clean
 * shutdown's flush).
 */
export function createGroupCommit<Item, Answer>(
  send: (batch: Item[]) => Promise<ReadonlyArray<Answer | Error>>,
  options: GroupCommitOptions,
) {
  const queue: Array<Waiting<Item, Answer>> = [];
  let inFlight = 0;
  let idleWaiters: Array<() => void> = [];

  const settle = async (batch: Array<Waiting<Item, Answer>>) => {
    inFlight += 1;
    try {
      const answers = await send(batch.map((w) => w.item));
      batch.forEach((w, i) => {
        const answer = answers[i];
        if (answer instanceof Error) w.reject(answer);
        else if (answer === undefined)
          w.reject(new Error('The batch gave no answer for this item.'));
        else w.resolve(answer);
      });
    } catch (error) {
      for (const w of batch) w.reject(error);
    } finally {
      inFlight -= 1;
      pump();
    }
  };

  const pump = () => {
    while (inFlight < options.inFlight && queue.length > 0) {
      void settle(queue.splice(0, options.mostPerBatch));
    }
    if (inFlight === 0 && queue.length === 0 && idleWaiters.length > 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const done of waiters) done();
    }
  };

  return {
    /** Queues one item; resolves with its answer once its batch is sent. */
    submit: (item: Item): Promise<Answer> =>
      new Promise<Answer>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        pump();
      }),
    /** Resolves once every item queued so far has been sent and answered. */
    idle: (): Promise<void> =>
      inFlight === 0 && queue.length === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => idleWaiters.push(resolve)),
  };
}

export type GroupCommit<Item, Answer> = ReturnType<typeof createGroupCommit<Item, Answer>>;
