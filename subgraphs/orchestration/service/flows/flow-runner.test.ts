import { GraphQLError } from 'graphql';
import { codedError, ErrorCode } from '../../../../lib/errors.js';
import type { FlowDefinition } from './flow-definition.js';
import type { FlowPorts, PaidResult, StepCall } from './flow-ports.js';
import { runFlow, type CompletedStep, type RunJournal, type StepRecord } from './flow-runner.js';
import { validateFlowDefinition } from './flow-validation.js';

/*
 * The runner against ports that answer like the platform would (a fixed price per call, a worst
 * case reserved first) and a journal kept in memory: what it calls, in which order, under which
 * keys, and what it charges.
 */

const PRICE = 100n; // micros per paid call
const WORST = 150n; // what a call reserves first

function platform(options: { failures?: Record<string, GraphQLError[]>; delayMs?: number } = {}) {
  const calls: Array<{ kind: string; args: unknown; key: string }> = [];
  let running = 0;
  let mostAtOnce = 0;
  const answered = new Map<string, PaidResult>();
  const paid =
    (kind: string, answer: (args: never) => unknown) =>
    async (args: unknown, call: StepCall): Promise<PaidResult> => {
      call.reserve(WORST);
      // A key answered before is replayed, as inference's idempotency keys are.
      const replay = answered.get(call.idempotencyKey);
      if (replay) return replay;
      calls.push({ kind, args, key: call.idempotencyKey });
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      try {
        if (options.delayMs) {
          await new Promise((resolve) => setTimeout(resolve, options.delayMs));
        }
        if (call.signal.aborted) throw codedError(ErrorCode.SERVICE_UNAVAILABLE, 'aborted');
        const failure = options.failures?.[call.path]?.shift();
        if (failure) throw failure;
        const result = {
          output: answer(args as never),
          cost: PRICE,
          inputTokens: 10,
          outputTokens: 5,
        };
        answered.set(call.idempotencyKey, result);
        return result;
      } finally {
        running -= 1;
      }
    };
  const ports: FlowPorts = {
    prompt: paid('prompt', (a: { variables: Record<string, unknown> }) => ({
      text: `prompted ${JSON.stringify(a.variables)}`,
    })),
    generate: paid('generate', (a: { messages: Array<{ content: string }> }) => ({
      text: `answer to ${a.messages.at(-1)!.content}`,
    })),
    embed: paid('embed', (a: { texts: string[] }) => ({ vectors: a.texts.map(() => [1, 0]) })),
    retrieve: paid('retrieve', (a: { query: string }) => ({
      chunks: [
        { text: `about ${a.query} (1)`, score: 0.9 },
        { text: `about ${a.query} (2)`, score: 0.8 },
      ],
    })),
  };
  return { ports, calls, mostAtOnce: () => mostAtOnce };
}

function memoryJournal(completed = new Map<string, CompletedStep>()) {
  const records = new Map<string, StepRecord>();
  const journal: RunJournal = {
    completed: (path) => completed.get(path),
    stepStarted: async (record) => void records.set(record.path, { ...record }),
    stepFinished: async (record) => {
      records.set(record.path, { ...record });
      if (record.status === 'SUCCEEDED') completed.set(record.path, record);
    },
  };
  return { journal, records, completed };
}

const RAG = validateFlowDefinition({
  inputs: { type: 'object', required: ['question'], properties: { question: { type: 'string' } } },
  steps: [
    { id: 'find', kind: 'retrieve', collection: 'docs', query: 'inputs.question' },
    {
      id: 'answer',
      kind: 'generate',
      model: 'chat',
      messages: [
        { role: 'SYSTEM', content: '"Context:\\n" & $join(steps.find.chunks.text, "\\n")' },
        { role: 'USER', content: 'inputs.question' },
      ],
    },
  ],
  output: '{ "answer": steps.answer.text, "context": steps.find.chunks.text }',
});

const run = (definition: FlowDefinition, extra: Partial<Parameters<typeof runFlow>[0]> = {}) => {
  const { ports, calls, mostAtOnce } = platform();
  const { journal, records } = memoryJournal();
  return {
    calls,
    records,
    mostAtOnce,
    result: runFlow({
      definition,
      inputs: { question: 'refunds' },
      maxCost: 10_000n,
      runKey: 'run-1',
      ports,
      journal,
      ...extra,
    }),
  };
};

async function thrownBy(promise: Promise<unknown>): Promise<GraphQLError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof GraphQLError))
    throw new Error(`expected a GraphQLError, got ${String(outcome)}`);
  return outcome;
}

describe('the flow runner', () => {
  it('runs a retrieval-augmented flow: the answer sees the chunks, the cost is the sum of its steps', async () => {
    const { calls, records, result } = run(RAG);
    const { output, cost, inputTokens } = await result;
    expect(output).toEqual({
      answer: 'answer to refunds',
      context: ['about refunds (1)', 'about refunds (2)'],
    });
    expect(calls.map((c) => [c.kind, c.key])).toEqual([
      ['retrieve', 'run-1:find'],
      ['generate', 'run-1:answer'],
    ]);
    expect((calls[1]!.args as { messages: Array<{ content: string }> }).messages[0]!.content).toBe(
      'Context:\nabout refunds (1)\nabout refunds (2)',
    );
    expect(cost).toBe(2n * PRICE);
    expect(inputTokens).toBe(20);
    expect([...records.values()].map((r) => [r.path, r.status, r.cost])).toEqual([
      ['find', 'SUCCEEDED', PRICE],
      ['answer', 'SUCCEEDED', PRICE],
    ]);
  });

  it('refuses inputs that fail the flow’s schema before calling anything', async () => {
    const { calls, result } = run(RAG, { inputs: { question: 7 } });
    const error = await thrownBy(result);
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(/^The run's inputs are invalid: \/question must be string/);
    expect(calls).toEqual([]);
  });

  it('stops with BUDGET_EXCEEDED when the next step’s worst case does not fit, having charged only the steps before', async () => {
    // Room for the first call's worst case (150) but not, after its 100, for another 150.
    const { calls, records, result } = run(RAG, { maxCost: 200n });
    const error = await thrownBy(result);
    expect(error.extensions).toMatchObject({
      code: 'BUDGET_EXCEEDED',
      step: 'answer',
      left: '100',
    });
    expect(calls.map((c) => c.kind)).toEqual(['retrieve']);
    expect(records.get('answer')).toMatchObject({ status: 'FAILED', cost: 0n });
    expect(records.get('find')).toMatchObject({ status: 'SUCCEEDED', cost: PRICE });
  });

  it('maps with at most `concurrency` iterations at once, results in order', async () => {
    const definition = validateFlowDefinition({
      inputs: { type: 'object' },
      steps: [
        {
          id: 'each',
          kind: 'map',
          over: '["a","b","c","d","e"]',
          concurrency: 2,
          steps: [
            {
              id: 'say',
              kind: 'generate',
              model: 'chat',
              messages: [{ role: 'USER', content: 'item & index' }],
            },
          ],
          result: 'steps.say.text',
        },
      ],
    });
    const slow = platform({ delayMs: 20 });
    const { journal, records } = memoryJournal();
    const result = await runFlow({
      definition,
      inputs: {},
      maxCost: 10_000n,
      runKey: 'r',
      ports: slow.ports,
      journal,
    });
    expect(result.output).toEqual(['a0', 'b1', 'c2', 'd3', 'e4'].map((t) => `answer to ${t}`));
    expect(slow.mostAtOnce()).toBe(2);
    expect(result.cost).toBe(5n * PRICE);
    expect(records.get('each[3].say')).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('a failed iteration cancels its siblings and fails the map with its own error', async () => {
    const definition = validateFlowDefinition({
      inputs: { type: 'object' },
      steps: [
        {
          id: 'each',
          kind: 'map',
          over: '[1,2,3,4]',
          concurrency: 4,
          steps: [{ id: 'e', kind: 'embed', model: 'emb', texts: '$string(item)' }],
        },
      ],
    });
    const failing = platform({
      delayMs: 20,
      failures: { 'each[0].e': [codedError(ErrorCode.MODEL_NOT_ALLOWED, 'not for this data')] },
    });
    const { journal, records } = memoryJournal();
    const error = await thrownBy(
      runFlow({
        definition,
        inputs: {},
        maxCost: 10_000n,
        runKey: 'r',
        ports: failing.ports,
        journal,
      }),
    );
    expect(error.extensions.code).toBe('MODEL_NOT_ALLOWED');
    expect(records.get('each')).toMatchObject({ status: 'FAILED' });
    expect(records.get('each[0].e')).toMatchObject({ status: 'FAILED' });
  });

  it('branches on an expression; steps of the branch not taken never run', async () => {
    const definition = validateFlowDefinition({
      inputs: { type: 'object' },
      steps: [
        { id: 'size', kind: 'transform', expression: '$length(inputs.question)' },
        {
          id: 'route',
          kind: 'branch',
          cases: [
            {
              when: 'steps.size > 20',
              steps: [{ id: 'long', kind: 'prompt', prompt: { id: 'p', label: 'long' } }],
            },
          ],
          otherwise: [
            {
              id: 'short',
              kind: 'generate',
              model: 'chat',
              messages: [{ role: 'USER', content: 'inputs.question' }],
            },
          ],
        },
      ],
      output: '{ "route": steps.route.text, "tookLong": $exists(steps.long) }',
    });
    const { calls, result } = run(definition);
    expect((await result).output).toEqual({ route: 'answer to refunds', tookLong: false });
    expect(calls.map((c) => c.kind)).toEqual(['generate']);
  });

  it('retries a step by its policy under the same idempotency key, and never retries a refusal', async () => {
    const definition = validateFlowDefinition({
      inputs: { type: 'object' },
      steps: [
        {
          id: 'flaky',
          kind: 'generate',
          model: 'chat',
          messages: [{ role: 'USER', content: '"hi"' }],
          retry: { maxAttempts: 3, backoffMs: 1 },
        },
      ],
    });
    const flaky = platform({
      failures: {
        flaky: [
          codedError(ErrorCode.PROVIDER_ERROR, 'down'),
          codedError(ErrorCode.RATE_LIMITED, 'slow down'),
        ],
      },
    });
    const { journal, records } = memoryJournal();
    const waits: number[] = [];
    const result = await runFlow({
      definition,
      inputs: {},
      maxCost: 1_000n,
      runKey: 'k',
      ports: flaky.ports,
      journal,
      sleep: async (ms) => void waits.push(ms),
    });
    expect(result.cost).toBe(PRICE);
    expect(flaky.calls.map((c) => c.key)).toEqual(['k:flaky', 'k:flaky', 'k:flaky']);
    expect(waits).toEqual([1, 2]);
    expect(records.get('flaky')).toMatchObject({ status: 'SUCCEEDED', attempts: 3 });

    const refused = platform({ failures: { flaky: [codedError(ErrorCode.FORBIDDEN, 'no')] } });
    const error = await thrownBy(
      runFlow({
        definition,
        inputs: {},
        maxCost: 1_000n,
        runKey: 'k',
        ports: refused.ports,
        journal: memoryJournal().journal,
      }),
    );
    expect(error.extensions.code).toBe('FORBIDDEN');
    expect(refused.calls).toHaveLength(1);
  });

  it('is cancelled by its signal: RUN_CANCELLED, the step under way marked CANCELLED, nothing after it called', async () => {
    const controller = new AbortController();
    const slow = platform({ delayMs: 30 });
    const { journal, records } = memoryJournal();
    const running = runFlow({
      definition: RAG,
      inputs: { question: 'q' },
      maxCost: 1_000n,
      runKey: 'c',
      ports: slow.ports,
      journal,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 5);
    const error = await thrownBy(running);
    expect(error.extensions.code).toBe('RUN_CANCELLED');
    expect(records.get('find')).toMatchObject({ status: 'CANCELLED' });
    expect(records.has('answer')).toBe(false);
    expect(slow.calls.map((c) => c.kind)).toEqual(['retrieve']);
  });

  it('resumes after a crash: finished steps are reused and not paid again, the one under way is resent under its key', async () => {
    const definition = validateFlowDefinition({
      inputs: { type: 'object' },
      steps: [
        { id: 'one', kind: 'embed', model: 'emb', texts: '"a"' },
        {
          id: 'each',
          kind: 'map',
          over: '[1,2,3]',
          steps: [
            {
              id: 'g',
              kind: 'generate',
              model: 'chat',
              messages: [{ role: 'USER', content: '$string(item)' }],
            },
          ],
          result: 'steps.g.text',
        },
        { id: 'done', kind: 'transform', expression: '$count(steps.each)' },
      ],
      output: '{ "n": steps.done, "texts": steps.each }',
    });
    // The first attempt dies inside the map's second iteration, after its call was answered.
    const crashing = platform();
    const { journal, completed } = memoryJournal();
    const crash = new Error('process killed');
    const dying: RunJournal = {
      ...journal,
      stepFinished: async (record) => {
        if (record.path === 'each[1].g') throw crash;
        await journal.stepFinished(record);
      },
    };
    await expect(
      runFlow({
        definition,
        inputs: {},
        maxCost: 10_000n,
        runKey: 'r',
        ports: crashing.ports,
        journal: dying,
      }),
    ).rejects.toBe(crash);
    expect(crashing.calls.map((c) => c.key)).toEqual(['r:one', 'r:each[0].g', 'r:each[1].g']);

    // The restart, on the same platform (whose keys remember their answers) and journal.
    const before = crashing.calls.length;
    const resumed = await runFlow({
      definition,
      inputs: {},
      maxCost: 10_000n,
      runKey: 'r',
      ports: crashing.ports,
      journal: memoryJournal(completed).journal,
    });
    expect(crashing.calls.slice(before).map((c) => c.key)).toEqual(['r:each[2].g']);
    expect(resumed.output).toEqual({ n: 3, texts: ['answer to 1', 'answer to 2', 'answer to 3'] });
    // Four paid steps in all, each paid once: what the run reports is what was charged.
    expect(resumed.cost).toBe(4n * PRICE);
  });

  it('fails with BAD_USER_INPUT when an expression gives the wrong type or runs too long', async () => {
    const notList = validateFlowDefinition({
      inputs: { type: 'object' },
      steps: [
        {
          id: 'm',
          kind: 'map',
          over: '"text"',
          steps: [{ id: 't', kind: 'transform', expression: 'item' }],
        },
      ],
    });
    expect((await thrownBy(run(notList).result)).message).toBe(
      'The expression at m.over must give a list.',
    );
    const slow = validateFlowDefinition({
      inputs: { type: 'object' },
      steps: [{ id: 'spin', kind: 'transform', expression: '$sum([1..2000000].($ * 2))' }],
    });
    const error = await thrownBy(run(slow).result);
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', path: 'spin.expression' });
    expect(error.message).toMatch(/took longer than 100 ms/);
    const clock = validateFlowDefinition({
      inputs: { type: 'object' },
      steps: [{ id: 'when', kind: 'transform', expression: '$now()' }],
    });
    expect((await thrownBy(run(clock).result)).message).toMatch(
      /\$now\(\) is not available in flows/,
    );
  });
});
