import { badUserInput } from '../../../../lib/errors.js';
import {
  LIMITS,
  PAID_KINDS,
  type BranchStep,
  type FlowDefinition,
  type FlowStep,
  type MapStep,
  type StepKind,
} from './flow-definition.js';
import {
  budgetExceeded,
  cancelled,
  describeError,
  isRetriable,
  RUN_CANCELLED,
  codeOf,
} from './flow-errors.js';
import { evaluateExpression, type ExpressionScope } from './flow-expressions.js';
import { callPaidStep, type FlowPorts, type PaidStep } from './flow-ports.js';
import { compileJsonSchema } from './flow-validation.js';

export type StepStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

/** One step of one run, as the journal keeps it and progress shows it. */
export interface StepRecord {
  path: string;
  stepId: string;
  kind: StepKind;
  status: StepStatus;
  /** Tries so far (paid steps with a retry policy may take more than one). */
  attempts: number;
  startedAt: Date;
  endedAt?: Date;
  /** Micros captured for this step itself (a branch or map: 0; its children carry theirs). */
  cost: bigint;
  inputTokens: number;
  outputTokens: number;
  output?: unknown;
  error?: { code: string; message: string };
}

/** A step that finished in an earlier attempt at this run: reused, never run (or paid) again. */
export type CompletedStep = Pick<StepRecord, 'output' | 'cost' | 'inputTokens' | 'outputTokens'>;

/** Where a run's steps are kept as they go (durably, before the run moves on). */
export interface RunJournal {
  completed(path: string): CompletedStep | undefined;
  stepStarted(record: StepRecord): Promise<void>;
  stepFinished(record: StepRecord): Promise<void>;
}

export interface RunFlowOptions {
  definition: FlowDefinition;
  inputs: unknown;
  /** Micros the whole run may cost: the hold it runs under. */
  maxCost: bigint;
  /** The run's own key: each paid step's idempotency key is `<runKey>:<path>`. */
  runKey: string;
  ports: FlowPorts;
  journal: RunJournal;
  signal?: AbortSignal;
  /** @default a timer that the signal cuts short */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface RunTotals {
  cost: bigint;
  inputTokens: number;
  outputTokens: number;
}

interface Context {
  options: RunFlowOptions;
  signal: AbortSignal;
  totals: RunTotals;
  /** Worst cases set aside for paid calls under way (shared by a map's iterations). */
  budget: { reserved: bigint };
}

const DEFAULT_BACKOFF_MS = 200;

const abortableSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * Runs a validated flow definition: its steps in order, branches and maps (with their
 * concurrency) included, every paid step under one budget (`maxCost`), its progress written to
 * the journal as it goes. A run given the journal of an earlier, interrupted attempt reuses the
 * steps that finished and pays for nothing twice: a step that was under way is sent again under
 * the same idempotency key, so the platform answers it from the first call if that one finished.
 */
export async function runFlow(options: RunFlowOptions): Promise<{ output: unknown } & RunTotals> {
  const { definition } = options;
  const inputProblems = compileJsonSchema(definition.inputs)(options.inputs);
  if (inputProblems.length) {
    throw badUserInput(
      `The run's inputs are invalid: ${inputProblems[0]!.path} ${inputProblems[0]!.message}.`,
      {
        problems: inputProblems,
      },
    );
  }
  const context: Context = {
    options,
    signal: options.signal ?? new AbortController().signal,
    totals: { cost: 0n, inputTokens: 0, outputTokens: 0 },
    budget: { reserved: 0n },
  };
  const scope: ExpressionScope = { inputs: options.inputs, steps: {} };
  const last = await runSteps(definition.steps, context, scope, '');
  const output = definition.output
    ? await evaluateExpression(definition.output, scope, 'output')
    : last;
  if (definition.outputSchema) {
    const problems = compileJsonSchema(definition.outputSchema)(output);
    if (problems.length) {
      throw badUserInput(
        `The run's output does not match the flow's outputSchema: ${problems[0]!.path} ${problems[0]!.message}.`,
        { problems },
      );
    }
  }
  return { output, ...context.totals };
}

async function runSteps(
  steps: FlowStep[],
  context: Context,
  scope: ExpressionScope,
  prefix: string,
) {
  let last: unknown = null;
  for (const step of steps) {
    last = await runStep(step, context, scope, prefix);
    scope.steps[step.id] = last;
  }
  return last;
}

async function runStep(step: FlowStep, context: Context, scope: ExpressionScope, prefix: string) {
  const path = prefix ? `${prefix}.${step.id}` : step.id;
  const { journal } = context.options;
  const paid = PAID_KINDS.has(step.kind);
  const done = journal.completed(path);
  // A finished leaf is reused; a branch or map is walked again so its children's outputs are in
  // scope (each finished child is reused in turn).
  if (done && (paid || step.kind === 'transform')) {
    add(context.totals, done);
    return done.output ?? null;
  }
  if (context.signal.aborted) throw cancelled();
  const record: StepRecord = {
    path,
    stepId: step.id,
    kind: step.kind,
    status: 'RUNNING',
    attempts: 0,
    startedAt: new Date(),
    cost: 0n,
    inputTokens: 0,
    outputTokens: 0,
  };
  if (!done) await journal.stepStarted(record);
  try {
    let output: unknown;
    if (paid) output = await runPaidStep(step as PaidStep, context, scope, record);
    else if (step.kind === 'transform') {
      record.attempts = 1;
      output = await evaluateExpression(step.expression, scope, `${path}.expression`);
    } else if (step.kind === 'branch') output = await runBranch(step, context, scope, path);
    else output = await runMap(step as MapStep, context, scope, path);
    if (!done)
      await journal.stepFinished({ ...record, status: 'SUCCEEDED', endedAt: new Date(), output });
    return output;
  } catch (error) {
    const status = codeOf(error) === RUN_CANCELLED ? 'CANCELLED' : 'FAILED';
    await journal.stepFinished({
      ...record,
      status,
      endedAt: new Date(),
      error: describeError(error),
    });
    throw error;
  }
}

const add = (totals: RunTotals, step: CompletedStep) => {
  totals.cost += step.cost;
  totals.inputTokens += step.inputTokens;
  totals.outputTokens += step.outputTokens;
};

async function runPaidStep(
  step: PaidStep,
  context: Context,
  scope: ExpressionScope,
  record: StepRecord,
) {
  const { options, signal } = context;
  const maxAttempts = step.retry?.maxAttempts ?? 1;
  const backoff = step.retry?.backoffMs ?? DEFAULT_BACKOFF_MS;
  for (;;) {
    record.attempts += 1;
    let reserved = 0n;
    try {
      const result = await callPaidStep(step, scope, options.ports, {
        path: record.path,
        idempotencyKey: `${options.runKey}:${record.path}`,
        signal,
        reserve(worstCase) {
          const left = options.maxCost - context.totals.cost - context.budget.reserved;
          if (worstCase > left) throw budgetExceeded(record.path, worstCase, left);
          context.budget.reserved += worstCase;
          reserved += worstCase;
        },
      });
      Object.assign(record, {
        cost: result.cost,
        inputTokens: result.inputTokens,
        outputTokens: result.outputTokens,
      });
      add(context.totals, result);
      return result.output;
    } catch (error) {
      if (signal.aborted) throw cancelled();
      if (!isRetriable(error) || record.attempts >= maxAttempts) throw error;
    } finally {
      context.budget.reserved -= reserved;
    }
    await (options.sleep ?? abortableSleep)(backoff * 2 ** (record.attempts - 1), signal);
    if (signal.aborted) throw cancelled();
  }
}

/** The first case whose `when` holds runs; the branch's output is its last step's (or null). */
async function runBranch(step: BranchStep, context: Context, scope: ExpressionScope, path: string) {
  for (const [i, option] of step.cases.entries()) {
    if (await evaluateExpression(option.when, scope, `${path}.cases[${i}].when`)) {
      return runSteps(option.steps, context, scope, prefixOf(path));
    }
  }
  return step.otherwise ? runSteps(step.otherwise, context, scope, prefixOf(path)) : null;
}

/** A branch's steps sit beside it (their ids are unique); a map's under `<map>[<index>]`. */
const prefixOf = (path: string) => path.slice(0, Math.max(0, path.lastIndexOf('.')));

/**
 * Every element through the map's steps, `concurrency` at a time, each iteration in a scope of
 * its own (`item`, `index`, its steps' outputs). The first failure stops the others (they are
 * cancelled) and is the map's.
 */
async function runMap(step: MapStep, context: Context, scope: ExpressionScope, path: string) {
  const items = await evaluateExpression(step.over, scope, `${path}.over`);
  if (!Array.isArray(items)) {
    throw badUserInput(`The expression at ${path}.over must give a list.`, {
      path: `${path}.over`,
    });
  }
  if (items.length > LIMITS.maxMapItems) {
    throw badUserInput(
      `${path} would map over ${items.length} elements; at most ${LIMITS.maxMapItems}.`,
      { path },
    );
  }
  const stopSiblings = new AbortController();
  const stop = () => stopSiblings.abort();
  context.signal.addEventListener('abort', stop, { once: true });
  const inner: Context = { ...context, signal: stopSiblings.signal };
  const results: unknown[] = new Array(items.length).fill(null);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const index = next++;
      const own: ExpressionScope = {
        inputs: scope.inputs,
        steps: { ...scope.steps },
        item: items[index],
        index,
      };
      try {
        const last = await runSteps(step.steps, inner, own, `${path}[${index}]`);
        results[index] = step.result
          ? await evaluateExpression(step.result, own, `${path}.result`)
          : last;
      } catch (error) {
        if (!failure) failure = { error };
        stopSiblings.abort();
      }
    }
  };
  try {
    await Promise.all(
      Array.from({ length: Math.min(step.concurrency ?? 1, items.length) }, worker),
    );
  } finally {
    context.signal.removeEventListener('abort', stop);
  }
  if (failure) throw context.signal.aborted ? cancelled() : failure.error;
  return results;
}
