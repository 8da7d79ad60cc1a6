import { createGroupCommit } from './group-commit.js';

/** A sender whose batches the test answers by hand, recording each batch's items. */
function heldSender() {
  const batches: number[][] = [];
  const unanswered: Array<{ batch: number[]; answer: (answers: string[]) => void }> = [];
  const send = (batch: number[]) =>
    new Promise<string[]>((answer) => {
      batches.push(batch);
      unanswered.push({ batch, answer });
    });
  /** Answers the oldest batch still waiting, every item `ok n`. */
  const answerNext = () => {
    const { batch, answer } = unanswered.shift()!;
    answer(batch.map((n) => `ok ${n}`));
  };
  return { batches, send, answerNext };
}

test('an item goes at once when a slot is free; those arriving while every slot is busy go together', async () => {
  const sender = heldSender();
  const commit = createGroupCommit(sender.send, { inFlight: 1, mostPerBatch: 3 });
  const answers = [1, 2, 3, 4, 5, 6].map((n) => commit.submit(n));
  expect(sender.batches).toEqual([[1]]);
  sender.answerNext();
  await answers[0];
  expect(sender.batches).toEqual([[1], [2, 3, 4]]);
  sender.answerNext();
  await answers[3];
  sender.answerNext();
  expect(await Promise.all(answers)).toEqual(['ok 1', 'ok 2', 'ok 3', 'ok 4', 'ok 5', 'ok 6']);
  expect(sender.batches).toEqual([[1], [2, 3, 4], [5, 6]]);
});

test('an Error answer refuses its item only; a batch that throws rejects all of its items', async () => {
  let calls = 0;
  const commit = createGroupCommit(
    async (batch: number[]) => {
      calls += 1;
      if (calls === 3) throw new Error('the wallet is gone');
      return batch.map((n) => (n === 2 ? new Error(`refused ${n}`) : `ok ${n}`));
    },
    { inFlight: 1, mostPerBatch: 10 },
  );
  const first = await Promise.allSettled([1, 2, 3].map((n) => commit.submit(n)));
  expect(
    first.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
  ).toEqual(['ok 1', 'refused 2', 'ok 3']);
  const second = await Promise.allSettled([4].map((n) => commit.submit(n)));
  expect(second).toEqual([{ status: 'rejected', reason: new Error('the wallet is gone') }]);
  await expect(commit.submit(5)).resolves.toBe('ok 5');
});

test('idle() resolves once everything queued so far is answered (a clean stop)', async () => {
  const sender = heldSender();
  const commit = createGroupCommit(sender.send, { inFlight: 2, mostPerBatch: 10 });
  await commit.idle();
  let idle = false;
  void Promise.all([1, 2, 3].map((n) => commit.submit(n)));
  const flushed = commit.idle().then(() => (idle = true));
  expect(sender.batches).toEqual([[1], [2]]);
  sender.answerNext();
  await Promise.resolve();
  expect(idle).toBe(false);
  sender.answerNext();
  await new Promise((resolve) => setImmediate(resolve));
  expect(sender.batches).toEqual([[1], [2], [3]]);
  expect(idle).toBe(false);
  sender.answerNext();
  await flushed;
  expect(idle).toBe(true);
});
