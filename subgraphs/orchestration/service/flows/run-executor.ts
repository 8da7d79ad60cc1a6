import type { Logger } from '../../../../lib/logging.js';
import type { FlowStore } from '../../store/flow-store.js';
import type { RunRow, RunStore } from '../../store/run-store.js';
import { ErrorCode } from '../../../../lib/errors.js';
import { codeOf, describeError, isRetriable, RUN_CANCELLED } from './flow-errors.js';
import type { FlowPorts } from './flow-ports.js';
import { runFlow, type RunJournal, type StepRecord } from './flow-runner.js';

/** The money side of a run: one wallet hold of maxCost, the rest released when it ends. */
export interface RunPayments {
  /** Holds the run's maxCost (idempotent per run); the hold's id. */
  open(run: RunRow): Promise<string>;
  /** Releases what the run's steps did not spend (idempotent). */
  close(run: RunRow & { holdId: string }): Promise<void>;
}

export interface RunExecutorDeps {
  runs: RunStore;
  flows: FlowStore;
  payments: RunPayments;
  /** The paid calls of one run, spending from its hold. */
  portsFor(run: RunRow & { holdId: string }): FlowPorts;
  /** This replica's name in run leases. */
  owner: string;
  /** How long a lease lasts without renewal; renewed every third of it. @default 15000 */
  leaseMs?: number;
  logger: Logger;
  /** Told of every step as it starts and ends (progress subscriptions). */
  onStep?(runId: string, record: StepRecord): void;
  /** Told when a run ends. */
  onEnd?(run: RunRow): void;
}

const LOST = 'lease lost';
const SHUTDOWN = 'shutting down';

/**
 * Works flow runs on this replica: claims one, holds its budget, runs it while renewing the
 * lease (a cancel asked through another replica is seen at the next renewal), releases the
 * unspent budget and records the end. Runs whose replica died are claimed by the sweep and
 * resumed from their journal (decision 100).
 */
export function createRunExecutor(deps: RunExecutorDeps) {
  const leaseMs = deps.leaseMs ?? 15_000;
  const { runs, logger } = deps;
  const active = new Map<string, { abort: AbortController; done: Promise<void> }>();

  const withProgress = (runId: string, journal: RunJournal): RunJournal => ({
    completed: journal.completed,
    stepStarted: async (record) => {
      await journal.stepStarted(record);
      deps.onStep?.(runId, record);
    },
    stepFinished: async (record) => {
      await journal.stepFinished(record);
      deps.onStep?.(runId, record);
    },
  });

  /**
   * The run's hold, made now; null when the wallet refused it (INSUFFICIENT_FUNDS,
   * BUDGET_EXCEEDED, ...): then the run has failed with that code, nothing charged. A wallet that
   * cannot be reached throws, and the run is resumed later.
   */
  async function openHold(run: RunRow) {
    try {
      const holdId = await deps.payments.open(run);
      await runs.setHold(run.id, holdId);
      return holdId;
    } catch (error) {
      if (isRetriable(error) || codeOf(error) === ErrorCode.INTERNAL_SERVER_ERROR) throw error;
      const ended = await runs.finish(run.id, deps.owner, {
        status: 'FAILED',
        cost: 0n,
        inputTokens: 0,
        outputTokens: 0,
        error: describeError(error),
      });
      if (ended) deps.onEnd?.(ended);
      return null;
    }
  }

  async function execute(claimed: RunRow, abort: AbortController) {
    const renewal = setInterval(() => {
      runs.renew(claimed.id, deps.owner, leaseMs).then(
        (state) => {
          if (!state) abort.abort(LOST);
          else if (state.cancelRequested) abort.abort(RUN_CANCELLED);
        },
        (error: unknown) => logger.warn({ err: error, runId: claimed.id }, 'run lease not renewed'),
      );
    }, leaseMs / 3);
    renewal.unref();
    if (claimed.cancelRequested) abort.abort(RUN_CANCELLED);
    try {
      const version = await deps.flows.version(claimed.flowId, claimed.version);
      if (!version) throw new Error(`flow version ${claimed.flowId}@${claimed.version} is missing`);
      const holdId = claimed.holdId ?? (await openHold(claimed));
      if (!holdId) return;
      const run = { ...claimed, holdId };
      let outcome: { output?: unknown; error?: unknown } = {};
      try {
        const result = await runFlow({
          definition: version.definition,
          inputs: run.inputs,
          maxCost: run.maxCost,
          runKey: run.id,
          ports: deps.portsFor(run),
          journal: withProgress(run.id, await runs.journal(run.id)),
          signal: abort.signal,
        });
        outcome = { output: result.output };
      } catch (error) {
        outcome = { error };
      }
      // Another replica owns it now, or this one is stopping: whoever resumes it ends it.
      if (abort.signal.reason === LOST || abort.signal.reason === SHUTDOWN) return;
      await deps.payments.close(run);
      // What the run cost is what its steps' records say the ledger took.
      const steps = await runs.steps(run.id);
      const sum = (pick: (s: StepRecord) => number | bigint) =>
        steps.reduce((total, s) => total + BigInt(pick(s)), 0n);
      const ended = await runs.finish(run.id, deps.owner, {
        status:
          outcome.error === undefined
            ? 'SUCCEEDED'
            : codeOf(outcome.error) === RUN_CANCELLED
              ? 'CANCELLED'
              : 'FAILED',
        cost: sum((s) => s.cost),
        inputTokens: Number(sum((s) => s.inputTokens)),
        outputTokens: Number(sum((s) => s.outputTokens)),
        output: outcome.output,
        error: outcome.error === undefined ? undefined : describeError(outcome.error),
      });
      if (ended) deps.onEnd?.(ended);
    } catch (error) {
      // The run stays claimed until its lease lapses; then a replica resumes it.
      logger.error({ err: error, runId: claimed.id }, 'flow run interrupted; it will be resumed');
    } finally {
      clearInterval(renewal);
    }
  }

  const start = (run: RunRow) => {
    const abort = new AbortController();
    const done = execute(run, abort).finally(() => active.delete(run.id));
    active.set(run.id, { abort, done });
  };

  let sweeping: Promise<void> | undefined;
  const sweep = setInterval(() => {
    sweeping ??= runs
      .claimLapsed(deps.owner, leaseMs, 10)
      .then((claimed) => claimed.forEach(start))
      .catch((error: unknown) => logger.warn({ err: error }, 'could not look for lapsed runs'))
      .finally(() => {
        sweeping = undefined;
      });
  }, leaseMs);
  sweep.unref();

  return {
    /** Claims a queued run and works it in the background; false if another replica has it. */
    async begin(runId: string) {
      const claimed = await runs.claim(runId, deps.owner, leaseMs);
      if (!claimed) return false;
      start(claimed);
      return true;
    },

    /** Asks a run to stop; this replica stops its own at once, others at their next renewal. */
    async cancel(runId: string) {
      const run = await runs.requestCancel(runId);
      active.get(runId)?.abort.abort(RUN_CANCELLED);
      return run;
    },

    /** Waits for a run this replica is working to end (tests, shutdown). */
    settled: (runId: string) => active.get(runId)?.done ?? Promise.resolve(),

    /** Stops working runs and hands them over: their leases lapse and another replica resumes them. */
    async stop() {
      clearInterval(sweep);
      for (const { abort } of active.values()) abort.abort(SHUTDOWN);
      await Promise.all([...active.values()].map((a) => a.done));
      await sweeping;
    },
  };
}

export type RunExecutor = ReturnType<typeof createRunExecutor>;
