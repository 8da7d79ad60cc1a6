import { createKeyAs } from '../../support/api-keys.js';
import { eventually } from '../../support/eventually.js';
import {
  CANCEL_FLOW_RUN,
  CREATE_FLOW,
  CREATE_FLOW_VERSION,
  FLOW,
  FLOW_RUN,
  FLOW_RUN_PROGRESS,
  FLOW_RUNS,
  FLOWS,
  HOLD_BY_KEY,
  RUN_FLOW,
  SET_FLOW_LABEL,
  type FlowRunView,
} from '../../support/flow-documents.js';
import { expectErrorCode, expectNoErrors } from '../../support/graphql-client.js';
import { createCallingTeam, type CallingTeam } from '../../support/inference-setup.js';
import { startStack, TEST_ADMIN_KEY, type Stack } from '../../support/stack.js';
import { subscribeWithSse } from '../../support/stream-clients.js';
import { STORE_MODES } from '../../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';

/** No model steps: a transform and a branch, so nothing is charged and no provider is needed. */
const definition = (threshold: number) => ({
  inputs: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] },
  steps: [
    { id: 'double', kind: 'transform', expression: 'inputs.n * 2' },
    {
      id: 'size',
      kind: 'branch',
      cases: [
        {
          when: `steps.double > ${threshold}`,
          steps: [{ id: 'big', kind: 'transform', expression: '"big"' }],
        },
      ],
      otherwise: [{ id: 'small', kind: 'transform', expression: '"small"' }],
    },
  ],
  output: '{ "double": steps.double, "size": steps.size }',
});

const ENDED = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

/**
 * Issue 17, flows: authoring (validated, versioned, labelled), runs on the server as jobs with
 * their steps recorded, progress as a subscription, idempotency and tenant isolation. The paid
 * paths (model steps charged from the run's hold) are in flow-runs-paid.test.ts.
 */
describe.each(STORE_MODES)('flows end to end (%s stores)', (mode) => {
  let stack: Stack;
  let team: CallingTeam;
  let other: CallingTeam;
  let admin: string;
  let flowId: string;

  beforeAll(async () => {
    stack = await startStack({ mode });
    team = await createCallingTeam(stack, { name: 'Flow runners' });
    other = await createCallingTeam(stack, { name: 'Flow outsiders' });
    admin = (
      await createKeyAs(stack, TEST_ADMIN_KEY, {
        teamId: team.teamId,
        scopes: ['models:read', 'inference:invoke', 'wallet:read', 'policy:admin'],
        name: 'flow admin',
      })
    ).secret;
    flowId = expectNoErrors(
      await stack.request(CREATE_FLOW, {
        token: admin,
        variables: { input: { teamId: team.teamId, name: 'doubler' } },
      }),
    ).createFlow.id;
  }, STACK_START_TIMEOUT_MS);
  afterAll(() => stack?.stop());

  const run = (token: string, input: Record<string, unknown>) =>
    stack.request(RUN_FLOW, { token, variables: { input: { flowId, maxCost: '1000', ...input } } });
  const ended = (token: string, id: string) =>
    eventually(
      `run ${id} ended`,
      async () => {
        const found = expectNoErrors(await stack.request(FLOW_RUN, { token, variables: { id } }));
        return found.flowRun && ENDED.includes(found.flowRun.status) ? found.flowRun : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );

  it('versions definitions it has validated, and labels them (team admins only)', async () => {
    expectErrorCode(
      await stack.request(CREATE_FLOW, {
        token: team.key,
        variables: { input: { teamId: team.teamId, name: 'not mine to make' } },
      }),
      'FORBIDDEN',
    );
    const bad = await stack.request(CREATE_FLOW_VERSION, {
      token: admin,
      variables: {
        input: {
          flowId,
          definition: { inputs: { type: 'object' }, steps: [{ id: 'a', kind: 'shell' }] },
        },
      },
    });
    const error = expectErrorCode(bad, 'BAD_USER_INPUT');
    expect(error.extensions?.problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: '/steps/0' })]),
    );
    const create = async (threshold: number) =>
      expectNoErrors(
        await stack.request(CREATE_FLOW_VERSION, {
          token: admin,
          variables: { input: { flowId, definition: definition(threshold) } },
        }),
      ).createFlowVersion;
    expect(await create(10)).toMatchObject({ number: 1, inputSchema: definition(10).inputs });
    expect((await create(1000)).number).toBe(2);
    expectErrorCode(
      await stack.request(CREATE_FLOW_VERSION, {
        token: team.key,
        variables: { input: { flowId, definition: definition(1) } },
      }),
      'FORBIDDEN',
    );
    expectNoErrors(
      await stack.request(SET_FLOW_LABEL, {
        token: admin,
        variables: { input: { flowId, name: 'production', version: 1 } },
      }),
    );
    const read = expectNoErrors(
      await stack.request(FLOW, { token: team.key, variables: { id: flowId } }),
    ).flow;
    expect(read).toMatchObject({
      name: 'doubler',
      versions: [{ number: 1 }, { number: 2 }],
      labels: [{ name: 'production', version: 1 }],
    });
    const list = expectNoErrors(
      await stack.request(FLOWS, { token: team.key, variables: { teamId: team.teamId } }),
    );
    expect(list.flows.totalCount).toBe(1);
  });

  it('runs a version as a job, records its steps, follows a moved label, charges nothing', async () => {
    const first = expectNoErrors(
      await run(team.key, { label: 'production', inputs: { n: 21 }, idempotencyKey: 'r1' }),
    ).runFlow;
    expect(['QUEUED', 'RUNNING', 'SUCCEEDED']).toContain(first.status);
    const done: FlowRunView = await ended(team.key, first.id);
    expect(done).toMatchObject({
      status: 'SUCCEEDED',
      output: { double: 42, size: 'big' },
      cost: '0',
      dataClass: 'INTERNAL',
    });
    expect(done.steps.map((s) => [s.path, s.kind, s.status])).toEqual([
      ['double', 'transform', 'SUCCEEDED'],
      ['size', 'branch', 'SUCCEEDED'],
      ['big', 'transform', 'SUCCEEDED'],
    ]);
    // Its budget was held as a FLOW_RUN hold and released whole.
    const hold = expectNoErrors(
      await stack.request(HOLD_BY_KEY, {
        token: TEST_ADMIN_KEY,
        variables: { walletId: team.teamId, key: `flow-run:${first.id}` },
      }),
    ).holdByKey;
    expect(hold).toMatchObject({ status: 'VOIDED', amount: '1000', spentAmount: '0' });

    // The same request under the same key is the same run; another request is refused.
    const again = expectNoErrors(
      await run(team.key, { label: 'production', inputs: { n: 21 }, idempotencyKey: 'r1' }),
    ).runFlow;
    expect(again.id).toBe(first.id);
    expectErrorCode(
      await run(team.key, { label: 'production', inputs: { n: 22 }, idempotencyKey: 'r1' }),
      'IDEMPOTENCY_CONFLICT',
    );
    expectErrorCode(await run(team.key, { inputs: { n: 'x' } }), 'BAD_USER_INPUT');
    expectErrorCode(await run(team.key, { inputs: { n: 1 }, maxCost: '0' }), 'BAD_USER_INPUT');

    // The label moves: the next run uses version 2 (threshold 1000).
    expectNoErrors(
      await stack.request(SET_FLOW_LABEL, {
        token: admin,
        variables: { input: { flowId, name: 'production', version: 2 } },
      }),
    );
    const moved = expectNoErrors(await run(team.key, { label: 'production', inputs: { n: 21 } }));
    expect((await ended(team.key, moved.runFlow.id)).output).toEqual({ double: 42, size: 'small' });
    const runs = expectNoErrors(
      await stack.request(FLOW_RUNS, { token: team.key, variables: { teamId: team.teamId } }),
    );
    expect(runs.flowRuns.edges[0]!.node.id).toBe(moved.runFlow.id);
  });

  it('fails a run whose hold the wallet refuses, with its code, charging nothing', async () => {
    const broke = await createCallingTeam(stack, { name: 'Flow broke', credits: '0' });
    const brokeAdmin = (
      await createKeyAs(stack, TEST_ADMIN_KEY, {
        teamId: broke.teamId,
        scopes: ['inference:invoke', 'policy:admin'],
        name: 'broke admin',
      })
    ).secret;
    const flow = expectNoErrors(
      await stack.request(CREATE_FLOW, {
        token: brokeAdmin,
        variables: { input: { teamId: broke.teamId, name: 'doubler' } },
      }),
    ).createFlow;
    expectNoErrors(
      await stack.request(CREATE_FLOW_VERSION, {
        token: brokeAdmin,
        variables: { input: { flowId: flow.id, definition: definition(1) } },
      }),
    );
    const started = expectNoErrors(
      await stack.request(RUN_FLOW, {
        token: brokeAdmin,
        variables: { input: { flowId: flow.id, maxCost: '1000', inputs: { n: 1 } } },
      }),
    ).runFlow;
    const done = await ended(brokeAdmin, started.id);
    expect(done).toMatchObject({
      status: 'FAILED',
      cost: '0',
      error: { code: 'INSUFFICIENT_FUNDS' },
      steps: [],
    });
  });

  it('streams progress through the gateway: each step start and end, then the run', async () => {
    const started = expectNoErrors(await run(team.key, { version: 1, inputs: { n: 2 } })).runFlow;
    const stream = subscribeWithSse(stack.url, team.key, FLOW_RUN_PROGRESS, {
      runId: started.id,
    });
    await stream.ended;
    const events = stream.outcomes.map(
      (o) =>
        (
          o.data as {
            flowRunProgress: {
              kind: string;
              step: { path: string } | null;
              run: { status: string };
            };
          }
        ).flowRunProgress,
    );
    expect(events.map((e) => [e.kind, e.step?.path ?? null])).toEqual([
      ['STEP_STARTED', 'double'],
      ['STEP_FINISHED', 'double'],
      ['STEP_STARTED', 'size'],
      ['STEP_STARTED', 'small'],
      ['STEP_FINISHED', 'small'],
      ['STEP_FINISHED', 'size'],
      ['RUN_FINISHED', null],
    ]);
    expect(events.at(-1)!.run.status).toBe('SUCCEEDED');
  });

  it("keeps a team's flows and runs from every other team (NOT_FOUND, null)", async () => {
    const mine = expectNoErrors(await run(team.key, { version: 1, inputs: { n: 3 } })).runFlow;
    const as = other.key;
    expect(
      expectNoErrors(await stack.request(FLOW, { token: as, variables: { id: flowId } })).flow,
    ).toBeNull();
    expect(
      expectNoErrors(await stack.request(FLOW_RUN, { token: as, variables: { id: mine.id } }))
        .flowRun,
    ).toBeNull();
    expectErrorCode(await run(as, { version: 1, inputs: { n: 1 } }), 'NOT_FOUND');
    expectErrorCode(
      await stack.request(CANCEL_FLOW_RUN, { token: as, variables: { id: mine.id } }),
      'NOT_FOUND',
    );
    expectErrorCode(
      await stack.request(CREATE_FLOW_VERSION, {
        token: as,
        variables: { input: { flowId, definition: definition(1) } },
      }),
      'NOT_FOUND',
    );
    expectErrorCode(
      await stack.request(FLOWS, { token: as, variables: { teamId: team.teamId } }),
      'FORBIDDEN',
    );
    const stream = subscribeWithSse(stack.url, as, FLOW_RUN_PROGRESS, { runId: mine.id });
    await stream.ended;
    const codes = stream.outcomes.flatMap((o) => [
      ...(o.errors ?? []).map((e) => e.code),
      ...(o.thrown?.codes ?? []),
    ]);
    expect(codes).toContain('NOT_FOUND');
    // A member without inference:invoke reads runs but may not start one.
    const reader = (
      await createKeyAs(stack, TEST_ADMIN_KEY, {
        teamId: team.teamId,
        scopes: ['models:read'],
        name: 'flow reader',
      })
    ).secret;
    expect(
      expectNoErrors(await stack.request(FLOW_RUN, { token: reader, variables: { id: mine.id } }))
        .flowRun?.id,
    ).toBe(mine.id);
    expectErrorCode(await run(reader, { version: 1, inputs: { n: 1 } }), 'FORBIDDEN');
  });
});
