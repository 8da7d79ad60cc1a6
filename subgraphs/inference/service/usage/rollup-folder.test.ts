import { createRecordingLogger } from '../../../../test/support/recording-logger.js';
import { createRollupFolder } from './rollup-folder.js';

/** A queue of `queued` records whose next `failing` folds fail; counts every fold and prune. */
function queueOf(queued: number, failing = 0) {
  const calls = { folds: [] as Array<{ most: number; wait: boolean }>, prunes: 0 };
  let left = failing;
  return {
    calls,
    rows: {
      async fold(most: number, wait = false) {
        calls.folds.push({ most, wait });
        if (left > 0) {
          left -= 1;
          throw new Error('connection reset');
        }
        const taken = Math.min(most, queued);
        queued -= taken;
        return taken;
      },
      async pruneRecords() {
        calls.prunes += 1;
        return 0;
      },
    },
    queued: () => queued,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A folder over `queue`, with its recording logger. */
function folderOn(queue: ReturnType<typeof queueOf>, delayMs?: number, mostPerFold?: number) {
  const log = createRecordingLogger();
  const folder = createRollupFolder({
    rows: queue.rows,
    logger: log.logger,
    retentionDays: 90,
    delayMs,
    mostPerFold,
  });
  return { folder, log };
}

describe('rollup folder', () => {
  it('folds once for every write of its delay, until the queue is empty, then prunes hourly', async () => {
    const queue = queueOf(12);
    const { folder } = folderOn(queue, 20, 5);
    for (let i = 0; i < 10; i += 1) folder.soon();
    expect(queue.calls.folds).toHaveLength(0);
    await sleep(100);
    // One fold for the ten writes: 5 + 5 + 2 records, skipping others' locked records.
    expect(queue.calls.folds).toEqual([
      { most: 5, wait: false },
      { most: 5, wait: false },
      { most: 5, wait: false },
    ]);
    expect(queue.queued()).toBe(0);
    expect(queue.calls.prunes).toBe(1);
    await folder.catchUp();
    expect(queue.calls.folds.at(-1)).toEqual({ most: 5, wait: true });
    // Nothing folded by the catch-up: no prune, and not twice in an hour anyway.
    expect(queue.calls.prunes).toBe(1);
    await folder.stop();
  });

  it('a failed fold is logged and tried again, waiting longer each time, until it succeeds', async () => {
    const queue = queueOf(3, 3);
    const { folder, log } = folderOn(queue, 10);
    const started = Date.now();
    folder.soon();
    while (queue.queued() > 0 && Date.now() - started < 5_000) await sleep(5);
    expect(queue.queued()).toBe(0);
    // Waits of 10, 20, 40 and 80 ms before the four tries.
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(queue.calls.folds).toHaveLength(4);
    expect(log.errors().map((l) => l.msg)).toEqual(
      Array(3).fill('usage rollups not folded; tried again shortly'),
    );
    await folder.stop();
  });

  it("a report's catch-up fails with the fold's error; stop folds what is queued and stops", async () => {
    const queue = queueOf(4, 1);
    const { folder } = folderOn(queue);
    await expect(folder.catchUp()).rejects.toThrow('connection reset');
    await folder.stop();
    expect(queue.queued()).toBe(0);
    folder.soon();
    await sleep(250);
    expect(queue.calls.folds).toHaveLength(2);
  });
});
