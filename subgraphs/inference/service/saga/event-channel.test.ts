import { createEventChannel } from './event-channel.js';

describe('createEventChannel', () => {
  it('hands events over in order, counting each as delivered when it is taken', async () => {
    const taken: string[] = [];
    const channel = createEventChannel<string>({ onTake: (e) => taken.push(e), onReturn() {} });
    channel.push('a');
    channel.push('b');
    expect(taken).toEqual([]);
    expect(await channel.iterator.next()).toEqual({ value: 'a', done: false });
    const waiting = channel.iterator.next();
    expect(taken).toEqual(['a', 'b']);
    expect(await waiting).toEqual({ value: 'b', done: false });
    const pending = channel.iterator.next();
    channel.push('c');
    channel.end();
    expect(await pending).toEqual({ value: 'c', done: false });
    expect(await channel.iterator.next()).toEqual({ value: undefined, done: true });
  });

  it('on return tells the producer at once, drops what was not taken, and waits for it', async () => {
    const taken: string[] = [];
    const steps: string[] = [];
    let finishProducer!: () => void;
    const channel = createEventChannel<string>({
      onTake: (e) => taken.push(e),
      onReturn: () => steps.push('told'),
    });
    channel.producedBy(new Promise<void>((resolve) => (finishProducer = resolve)));
    channel.push('a');
    channel.push('b');
    await channel.iterator.next();
    const pendingNext = channel.iterator.next();
    expect(await pendingNext).toEqual({ value: 'b', done: false });
    channel.push('never taken');
    const returned = channel.iterator.return!().then(() => steps.push('returned'));
    await Promise.resolve();
    expect(steps).toEqual(['told']);
    finishProducer();
    await returned;
    expect(steps).toEqual(['told', 'returned']);
    expect(taken).toEqual(['a', 'b']);
    channel.push('after');
    expect(await channel.iterator.next()).toEqual({ value: undefined, done: true });
  });

  it('ends a pending next when the consumer returns', async () => {
    const channel = createEventChannel<string>({ onTake() {}, onReturn() {} });
    const pending = channel.iterator.next();
    await channel.iterator.return!();
    expect(await pending).toEqual({ value: undefined, done: true });
  });

  it('lets a producer that awaits push buffer at most one event for a slow consumer', async () => {
    const channel = createEventChannel<string>({ onTake() {}, onReturn() {} });
    const steps: string[] = [];
    const producer = (async () => {
      for (const event of ['a', 'b', 'c']) {
        await channel.push(event);
        steps.push(`pushed ${event}`);
      }
    })();
    await new Promise((resolve) => setImmediate(resolve));
    // Nothing taken yet: the producer waits with 'a' queued and has not made 'b'.
    expect(steps).toEqual([]);
    expect(await channel.iterator.next()).toEqual({ value: 'a', done: false });
    await new Promise((resolve) => setImmediate(resolve));
    expect(steps).toEqual(['pushed a']);
    channel.unblock();
    await producer;
    expect(steps).toEqual(['pushed a', 'pushed b', 'pushed c']);
    expect(await channel.iterator.next()).toEqual({ value: 'b', done: false });
  });

  it('releases a waiting producer when the consumer returns', async () => {
    const channel = createEventChannel<string>({ onTake() {}, onReturn() {} });
    const pushed = channel.push('a');
    await channel.iterator.return!();
    await expect(pushed).resolves.toBeUndefined();
  });
});
