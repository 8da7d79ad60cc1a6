import { createKeyAs } from '../../support/api-keys.js';
import { CANCEL_FLOW_RUN, RUN_FLOW } from '../../support/flow-documents.js';
import { createFlowWith, runHold, runWhen, sumOfSteps } from '../../support/flow-runs.js';
import { expectNoErrors } from '../../support/graphql-client.js';
import { startOpenAiStack, type OpenAiStack } from '../../support/openai-sdk.js';
import { CREATE_PROMPT, CREATE_VERSION, SET_LABEL } from '../../support/prompt-documents.js';
import { TEST_ADMIN_KEY } from '../../support/stack.js';
import { STORE_MODES } from '../../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';
import { restartOrchestration } from '../../support/orchestration-replica.js';

const ask = (content: string) => [{ role: 'USER', content }];

/**
 * Issue 17, flows that call models: every model step goes through inference's saga as the run's
 * creator, paid from the run's FLOW_RUN hold; a run's cost is the sum of its steps' charges and
 * what the wallet spent from the hold. Needs inference's `flowStep` payment (its own branch):
 * until it lands, inference refuses the field and these runs fail.
 */
describe.each(STORE_MODES)('flow runs that call models (%s stores)', (mode) => {
  let s: OpenAiStack;
  let admin: string;
  let chat: string;

  beforeAll(async () => {
    s = await startOpenAiStack(mode, 'Paid flows', { orchestrationRunLeaseMs: 1_500 });
    chat = s.chat.modelId;
    admin = (
      await createKeyAs(s.stack, TEST_ADMIN_KEY, {
        teamId: s.team.teamId,
        scopes: ['models:read', 'inference:invoke', 'wallet:read', 'policy:admin'],
        name: 'flow admin',
      })
    ).secret;
  }, STACK_START_TIMEOUT_MS);
  afterAll(() => s?.stop());
  beforeEach(() => s.chat.emulator.reset());

  const flow = (name: string, definition: unknown) =>
    createFlowWith(s.stack, admin, s.team.teamId, name, definition);
  const start = async (flowId: string, input: Record<string, unknown>) =>
    expectNoErrors(
      await s.stack.request(RUN_FLOW, {
        token: s.team.key,
        variables: { input: { flowId, maxCost: '100000', ...input } },
      }),
    ).runFlow;
  const ended = (id: string) => runWhen(s.stack, s.team.key, id);

  it('runs transform, generate and map to SUCCEEDED; the run costs what its steps did', async () => {
    const flowId = await flow('three kinds', {
      inputs: { type: 'object', properties: { topic: { type: 'string' } } },
      steps: [
        { id: 'topic', kind: 'transform', expression: '$uppercase(inputs.topic)' },
        {
          id: 'answer',
          kind: 'generate',
          model: chat,
          maxTokens: 16,
          messages: [{ role: 'USER', content: '"Tell me about " & steps.topic' }],
        },
        {
          id: 'each',
          kind: 'map',
          over: '["a", "b"]',
          concurrency: 2,
          steps: [
            {
              id: 'note',
              kind: 'generate',
              model: chat,
              maxTokens: 16,
              messages: [{ role: 'USER', content: '"Note " & item' }],
            },
          ],
        },
      ],
      output: '{ "answer": steps.answer.text, "notes": steps.each.text }',
    });
    const run = await ended((await start(flowId, { inputs: { topic: 'tides' } })).id);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.steps.map((x) => x.path).sort()).toEqual(
      ['answer', 'each', 'each[0].note', 'each[1].note', 'topic'].sort(),
    );
    for (const step of run.steps.filter((x) => x.kind === 'generate')) {
      // The test price: 1 µcr per prompt token, 2 per generated token.
      expect(BigInt(step.cost)).toBe(BigInt(step.inputTokens + 2 * step.outputTokens));
      expect(BigInt(step.cost)).toBeGreaterThan(0n);
    }
    expect(BigInt(run.cost)).toBe(sumOfSteps(run));
    expect(s.chat.emulator.requests[0]!.body!.messages).toEqual([
      { role: 'user', content: 'Tell me about TIDES' },
    ]);
    const hold = await runHold(s.stack, s.team.teamId, run.id);
    expect(hold).toMatchObject({ status: 'VOIDED', amount: '100000', spentAmount: run.cost });
  });

  it('stops a run whose next step no longer fits maxCost, having charged the first', async () => {
    const flowId = await flow('too dear', {
      inputs: { type: 'object' },
      steps: [
        { id: 'cheap', kind: 'generate', model: chat, maxTokens: 16, messages: ask('"Say hi"') },
        {
          id: 'dear',
          kind: 'generate',
          model: chat,
          maxTokens: 16,
          messages: ask(`"${'x'.repeat(500)}"`),
        },
      ],
    });
    // "Say hi": at most 46 prompt tokens (bytes and framing) and 16 generated: 78 µcr at worst.
    const run = await ended((await start(flowId, { maxCost: '100' })).id);
    expect(run).toMatchObject({ status: 'FAILED', error: { code: 'BUDGET_EXCEEDED' } });
    const [cheap, dear] = run.steps;
    expect(cheap).toMatchObject({ path: 'cheap', status: 'SUCCEEDED' });
    expect(dear).toMatchObject({ path: 'dear', status: 'FAILED', cost: '0' });
    expect(run.cost).toBe(cheap!.cost);
    expect(s.chat.emulator.requests).toHaveLength(1);
    expect(await runHold(s.stack, s.team.teamId, run.id)).toMatchObject({
      status: 'VOIDED',
      spentAmount: cheap!.cost,
    });
  });

  it('refuses to send RESTRICTED inputs to a model whose ceiling is lower', async () => {
    const flowId = await flow('secret', {
      inputs: { type: 'object' },
      steps: [{ id: 'a', kind: 'generate', model: chat, messages: ask('"card 4242"') }],
    });
    const run = await ended((await start(flowId, { dataClass: 'RESTRICTED' })).id);
    expect(run).toMatchObject({
      status: 'FAILED',
      dataClass: 'RESTRICTED',
      cost: '0',
      error: { code: 'MODEL_NOT_ALLOWED' },
    });
    expect(s.chat.emulator.requests).toHaveLength(0);
  });

  it('runs a prompt step by label, and the next run follows the moved label', async () => {
    const promptId = expectNoErrors(
      await s.stack.request(CREATE_PROMPT, {
        token: admin,
        variables: { input: { teamId: s.team.teamId, name: 'flow-prompt' } },
      }),
    ).createPrompt.id;
    for (const system of ['Version one.', 'Version two.']) {
      expectNoErrors(
        await s.stack.request(CREATE_VERSION, {
          token: admin,
          variables: {
            input: {
              promptId,
              defaultModel: chat,
              messages: [
                { role: 'SYSTEM', content: system },
                { role: 'USER', content: 'About {{topic}}' },
              ],
              variables: { type: 'object', properties: { topic: { type: 'string' } } },
            },
          },
        }),
      );
    }
    const label = (version: number) =>
      s.stack.request(SET_LABEL, {
        token: admin,
        variables: { input: { promptId, name: 'production', version } },
      });
    expectNoErrors(await label(1));
    const flowId = await flow('prompted', {
      inputs: { type: 'object' },
      steps: [
        {
          id: 'reply',
          kind: 'prompt',
          prompt: { id: promptId, label: 'production' },
          variables: { topic: '"ships"' },
          maxTokens: 16,
        },
      ],
    });
    const systemOfLastCall = () => s.chat.emulator.requests.at(-1)!.body!.messages![0]!.content;
    const first = await ended((await start(flowId, {})).id);
    expect(first.status).toBe('SUCCEEDED');
    expect(systemOfLastCall()).toBe('Version one.');
    expect(first.steps[0]!.output).toMatchObject({ prompt: { promptId, version: 1 } });
    expectNoErrors(await label(2));
    const second = await ended((await start(flowId, {})).id);
    expect(systemOfLastCall()).toBe('Version two.');
    expect(second.steps[0]!.output).toMatchObject({ prompt: { promptId, version: 2 } });
  });

  it('cancels a run mid-step: it ends CANCELLED and what its steps spent is its cost', async () => {
    const flowId = await flow('slow', {
      inputs: { type: 'object' },
      steps: [
        { id: 'a', kind: 'generate', model: chat, maxTokens: 16, messages: ask('"one"') },
        { id: 'b', kind: 'generate', model: chat, maxTokens: 16, messages: ask('"two"') },
      ],
    });
    s.chat.emulator.configure({ latencyMs: 1_000 });
    const started = await start(flowId, {});
    await runWhen(s.stack, s.team.key, started.id, (r) => r.steps.length > 0);
    expectNoErrors(
      await s.stack.request(CANCEL_FLOW_RUN, { token: s.team.key, variables: { id: started.id } }),
    );
    const run = await ended(started.id);
    expect(run).toMatchObject({ status: 'CANCELLED', error: { code: 'RUN_CANCELLED' } });
    expect(run.steps.map((x) => x.path)).toEqual(['a']);
    expect(BigInt(run.cost)).toBe(sumOfSteps(run));
    expect((await runHold(s.stack, s.team.teamId, run.id)).spentAmount).toBe(run.cost);
  });

  // Last: the gateway keeps the stopped replica's address, so later tests would not reach it.
  it('resumes a run after its replica stopped mid-run, charging no step twice', async () => {
    const flowId = await flow('survivor', {
      inputs: { type: 'object' },
      steps: ['a', 'b', 'c'].map((id) => ({
        id,
        kind: 'generate',
        model: chat,
        maxTokens: 16,
        messages: ask(`"step ${id}"`),
      })),
    });
    s.chat.emulator.configure({ latencyMs: 800 });
    const started = await start(flowId, {});
    await runWhen(s.stack, s.team.key, started.id, (r) =>
      r.steps.some((x) => x.path === 'b' && x.status === 'RUNNING'),
    );
    const replica = await restartOrchestration(s.stack, { runLeaseMs: 1_500 });
    try {
      const run = await replica.runWhenEnded(started.id);
      expect(run.status).toBe('SUCCEEDED');
      expect(run.attempts).toBe(2);
      const steps = await replica.steps(started.id);
      expect(steps.map((x) => [x.path, x.status])).toEqual([
        ['a', 'SUCCEEDED'],
        ['b', 'SUCCEEDED'],
        ['c', 'SUCCEEDED'],
      ]);
      // One provider call per step, and the hold spent exactly the steps' costs.
      expect(s.chat.emulator.requests).toHaveLength(3);
      const sum = steps.reduce((total, x) => total + x.cost, 0n);
      expect(run.cost).toBe(sum);
      expect((await runHold(s.stack, s.team.teamId, run.id)).spentAmount).toBe(String(sum));
    } finally {
      await replica.stop();
    }
  });
});
