/**
 * A one-consumer queue between a producer that runs on its own (the stream saga) and a
 * subscription's iterator. Events are counted as delivered when the consumer takes them
 * (`onTake`). `return()` (the client left) tells the producer at once (`onReturn`), then waits
 * for it to finish, so what was delivered is charged before the subscription ends.
 */
export function createEventChannel<T>(hooks: { onTake(event: T): void; onReturn(): void }) {
  const queue: T[] = [];
  let waiting: ((result: IteratorResult<T>) => void) | undefined;
  let ended = false;
  let returned = false;
  let producerDone: Promise<unknown> = Promise.resolve();

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
      if (queue.length > 0) return Promise.resolve(take(queue.shift()!));
      if (ended || returned) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => (waiting = resolve));
    },
    async return() {
      if (!ended && !returned) {
        returned = true;
        queue.length = 0;
        hooks.onReturn();
        finish();
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
    push(event: T) {
      if (ended || returned) return;
      if (waiting) {
        const resolve = waiting;
        waiting = undefined;
        resolve(take(event));
      } else queue.push(event);
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
