/**
 * A one-consumer queue between a producer that runs on its own (the stream saga) and a
 * subscription's iterator. Events are counted as delivered when the consumer takes them
 * (`onTake`). `return()` (the client left) tells the producer at once (`onReturn`), then waits
 * for it to finish, so what was delivered is charged before the subscription ends. `push`
 * resolves once the queue is empty again, so a producer that awaits it buffers at most one event
 * for a slow consumer (and reads its provider no faster than the client reads).
 */
export function createEventChannel<T>(hooks: { onTake(event: T): void; onReturn(): void }) {
  const queue: T[] = [];
  let waiting: ((result: IteratorResult<T>) => void) | undefined;
  let ended = false;
  let returned = false;
  let producerDone: Promise<unknown> = Promise.resolve();
  let blocking = true;
  const roomWaiters: Array<() => void> = [];
  const makeRoom = () => {
    for (const resolve of roomWaiters.splice(0)) resolve();
  };

  const take = (event: T): IteratorResult<T> => {
    hooks.onTake(event);
    return { value: event, done: false };
  };
  const finish = () => {
    const resolve = waiting;
    waiting = undefined;
    resolve?.({ value: undefined, done: true });
  };

  const iterator: AsyncIterableIterator<T> = {
    next() {
      if (queue.length > 0) {
        const taken = take(queue.shift()!);
        if (queue.length === 0) makeRoom();
        return Promise.resolve(taken);
      }
      if (ended || returned) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => (waiting = resolve));
    },
    async return() {
      if (!ended && !returned) {
        returned = true;
        queue.length = 0;
        hooks.onReturn();
        finish();
        makeRoom();
        await producerDone.catch(() => undefined);
      }
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };

  return {
    iterator,
    /** Whether the consumer has gone (its `return()` was called). */
    get returned() {
      return returned;
    },
    /** Resolves when the event is taken, the consumer has gone, or `unblock` was called. */
    push(event: T): Promise<void> {
      if (ended || returned) return Promise.resolve();
      if (waiting) {
        const resolve = waiting;
        waiting = undefined;
        resolve(take(event));
        return Promise.resolve();
      }
      queue.push(event);
      if (!blocking) return Promise.resolve();
      return new Promise((resolve) => roomWaiters.push(resolve));
    },
    /** Pushes no longer wait for the consumer (the producer must finish, e.g. at shutdown). */
    unblock() {
      blocking = false;
      makeRoom();
    },
    /** No more events: the consumer's next `next()` after the queue is empty ends. */
    end() {
      ended = true;
      if (queue.length === 0) finish();
    },
    /** What `return()` waits for. */
    producedBy(done: Promise<unknown>) {
      producerDone = done;
    },
  };
}
