import type { RunRow, RunStore } from '../../store/run-store.js';
import type { StepRecord } from './flow-runner.js';

/** One event of a run's progress. */
export type ProgressEvent =
  | { kind: 'STEP_STARTED' | 'STEP_FINISHED'; step: StepRecord; run: RunRow }
  | { kind: 'RUN_FINISHED'; step: null; run: RunRow };

const ENDED = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/** How often a subscriber reads the store when nothing in this process woke it. */
export const PROGRESS_POLL_MS = 500;

/**
 * In-process wake-ups for progress subscribers: the executor calls `notify` on every step and
 * end of the runs this replica works, so their subscribers read the store at once instead of at
 * the next poll.
 */
export function createProgressSignals() {
  const waiting = new Map<string, Set<() => void>>();
  return {
    notify(runId: string) {
      const wake = waiting.get(runId);
      waiting.delete(runId);
      wake?.forEach((w) => w());
    },
    /** Resolves at the next notify for the run, after `ms`, or when `signal` aborts. */
    wait(runId: string, ms: number, signal: AbortSignal) {
      return new Promise<void>((resolve) => {
        const set = waiting.get(runId) ?? new Set();
        waiting.set(runId, set);
        const done = () => {
          clearTimeout(timer);
          set.delete(done);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        set.add(done);
        signal.addEventListener('abort', done, { once: true });
      });
    },
  };
}

export type ProgressSignals = ReturnType<typeof createProgressSignals>;

/**
 * A run's progress as events, read from the run store (so a subscriber on any replica sees a
 * run worked on another): each step's start and end in the order the journal wrote them (steps
 * under way or done when the subscription began included), then one RUN_FINISHED with the run as
 * it ended. The run is read before its steps, so every step of an ended run has been seen.
 */
export async function* runProgress(
  runs: RunStore,
  signals: ProgressSignals,
  runId: string,
  signal: AbortSignal,
): AsyncGenerator<ProgressEvent> {
  const started = new Set<string>();
  const finished = new Set<string>();
  while (!signal.aborted) {
    const run = await runs.byId(runId);
    if (!run) return;
    const due: Array<{ order: bigint; event: ProgressEvent }> = [];
    for (const { step, startedSeq, endedSeq } of await runs.stepEvents(runId)) {
      if (!started.has(step.path)) {
        started.add(step.path);
        due.push({ order: startedSeq, event: { kind: 'STEP_STARTED', step, run } });
      }
      if (endedSeq !== null && ENDED.has(step.status) && !finished.has(step.path)) {
        finished.add(step.path);
        due.push({ order: endedSeq, event: { kind: 'STEP_FINISHED', step, run } });
      }
    }
    due.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
    for (const { event } of due) yield event;
    if (ENDED.has(run.status)) {
      yield { kind: 'RUN_FINISHED', step: null, run };
      return;
    }
    await signals.wait(runId, PROGRESS_POLL_MS, signal);
  }
}
