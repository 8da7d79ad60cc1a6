import { randomUUID } from 'node:crypto';
import { codedError } from '../../../../lib/errors.js';
import { runMigrations, type Db } from '../../../../lib/db/index.js';
import { eventually } from '../../../../test/support/eventually.js';
import { createRecordingLogger } from '../../../../test/support/recording-logger.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/stores.js';
import { STORE_MODES } from '../../../../test/support/test-env.js';
import { flowMigrations } from '../../store/flow-migrations.js';
import { createFlowStore, type FlowStore } from '../../store/flow-store.js';
import { createRunStore, type RunStore } from '../../store/run-store.js';
import type { FlowPorts, StepCall } from './flow-ports.js';
import { validateFlowDefinition } from './flow-validation.js';
import { createRunExecutor, type RunPayments } from './run-executor.js';

/*
 * The executor on real stores, with the paid calls and the wallet as small fakes that count what
 * they are asked: a run's hold is opened once and closed once, its steps are paid once each even
 * when another replica resumes it, and cancellation and hand-over end it as they should.
 */

const COST = 70n;
const WAIT = { timeoutMs: 10_000 };
const DEFINITION = validateFlowDefinition({
  inputs: { type: 'object' },
  steps: [
    {
      id: 'each',
      kind: 'map',
      over: '[1,2,3,4]',
      steps: [
        {
          id: 'g',
          kind: 'generate',
          model: 'm',
          messages: [{ role: 'USER', content: '$string(item)' }],
        },
      ],
      result: 'steps.g.text',
    },
  ],
});

/** `answered` calls are answered at once; later ones wait until `release()`. */
function fakePlatform(answered = Infinity) {
  const paid = new Map<string, number>(); // idempotency key → provider calls that completed
  const gates: Array<() => void> = [];
  let calls = 0;
  let gated = true;
  const payments = { opened: 0, closed: 0 };
  const ports = {
    generate: async (args: { messages: Array<{ content: string }> }, call: StepCall) => {
      call.reserve(100n);
      calls += 1;
      if (gated && calls > answered) {
        await new Promise<void>((resolve, reject) => {
          gates.push(resolve);
          call.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
        });
      }
      paid.set(call.idempotencyKey, (paid.get(call.idempotencyKey) ?? 0) + 1);
      return {
        output: { text: `t${args.messages[0]!.content}` },
        cost: COST,
        inputTokens: 1,
        outputTokens: 2,
      };
    },
  } as unknown as FlowPorts;
  const wallet: RunPayments = {
    open: async () => {
      payments.opened += 1;
      return randomUUID();
    },
    close: async () => {
      payments.closed += 1;
    },
  };
  return {
    ports,
    wallet,
    paid,
    payments,
    release() {
      gated = false;
      gates.splice(0).forEach((go) => go());
    },
    waiting: () => gates.length,
  };
}

describe.each(STORE_MODES)('flow run executor (%s stores)', (mode) => {
  let database: TestDatabase;
  let db: Db;
  let flows: FlowStore;
  let runs: RunStore;
  let flowId: string;
  const teamId = randomUUID();

  beforeAll(async () => {
    database = await createTestDatabase(mode);
    db = await database.open('orchestration');
    await runMigrations(db, flowMigrations);
    flows = createFlowStore(db);
    runs = createRunStore(db);
    flowId = (await flows.create({ teamId, name: 'four', createdBy: 'u' }))!.id;
    await flows.addVersion(flowId, DEFINITION, 'u');
  });
  afterAll(async () => {
    await database?.drop();
  });

  const newRun = async () =>
    (
      await runs.create({
        teamId,
        flowId,
        version: 1,
        requestHash: 'h',
        inputs: {},
        dataClass: 'PUBLIC',
        maxCost: 1_000n,
        creator: { id: 'u', kind: 'USER', orgId: 'default', roles: [], scopes: [], teams: [] },
      })
    ).run;

  const executor = (platform: ReturnType<typeof fakePlatform>, owner: string, leaseMs = 15_000) => {
    const steps: string[] = [];
    const run = createRunExecutor({
      runs,
      flows,
      payments: platform.wallet,
      portsFor: () => platform.ports,
      owner,
      leaseMs,
      logger: createRecordingLogger().logger,
      onStep: (_id, r) => steps.push(`${r.path}:${r.status}`),
    });
    return Object.assign(run, { steps });
  };

  it('runs a queued run to its end: one hold opened and closed, the cost its steps’ sum', async () => {
    const platform = fakePlatform();
    const a = executor(platform, 'a');
    const run = await newRun();
    expect(await a.begin(run.id)).toBe(true);
    await a.settled(run.id);
    const ended = (await runs.byId(run.id))!;
    expect(ended).toMatchObject({
      status: 'SUCCEEDED',
      output: ['t1', 't2', 't3', 't4'],
      cost: 4n * COST,
      outputTokens: 8,
      owner: null,
    });
    expect(ended.holdId).not.toBeNull();
    expect(platform.payments).toEqual({ opened: 1, closed: 1 });
    expect(a.steps).toContain('each[3].g:SUCCEEDED');
    expect(a.steps.at(-1)).toBe('each:SUCCEEDED');
    await a.stop();
  });

  it('cancels a run under way: CANCELLED, charged for the steps before, its hold closed', async () => {
    const platform = fakePlatform(2);
    const a = executor(platform, 'a');
    const run = await newRun();
    await a.begin(run.id);
    await eventually(
      'a third step is waiting',
      () => (platform.waiting() > 0 ? true : undefined),
      WAIT,
    );
    await a.cancel(run.id);
    await a.settled(run.id);
    const ended = (await runs.byId(run.id))!;
    expect(ended.status).toBe('CANCELLED');
    expect(ended.error).toEqual({ code: 'RUN_CANCELLED', message: 'The run was cancelled.' });
    expect(ended.cost).toBe(2n * COST);
    expect((await runs.steps(run.id)).map((r) => [r.path, r.status])).toEqual([
      ['each', 'CANCELLED'],
      ['each[0].g', 'SUCCEEDED'],
      ['each[1].g', 'SUCCEEDED'],
      ['each[2].g', 'CANCELLED'],
    ]);
    expect(platform.payments.closed).toBe(1);
    platform.release();
    await a.stop();
  });

  it('a run whose replica stops is resumed by another once its lease lapses, each step paid once', async () => {
    const platform = fakePlatform(1);
    const a = executor(platform, 'a');
    const run = await newRun();
    await a.begin(run.id);
    await eventually(
      'a second step is waiting',
      () => (platform.waiting() > 0 ? true : undefined),
      WAIT,
    );
    await a.stop(); // hands the run over: not ended, its lease left to lapse
    expect((await runs.byId(run.id))!.status).toBe('RUNNING');
    platform.release();

    await db.query(`UPDATE flow_runs SET lease_until = now() - interval '1 second' WHERE id = $1`, [
      run.id,
    ]);
    const b = executor(platform, 'b', 300);
    await eventually(
      'replica b finished the run',
      async () => ((await runs.byId(run.id))!.status === 'SUCCEEDED' ? true : undefined),
      { timeoutMs: 10_000 },
    );
    const ended = (await runs.byId(run.id))!;
    expect(ended).toMatchObject({ attempts: 2, cost: 4n * COST, output: ['t1', 't2', 't3', 't4'] });
    expect([...platform.paid.values()]).toEqual([1, 1, 1, 1]);
    expect(platform.payments).toEqual({ opened: 1, closed: 1 });
    await b.stop();
  });

  it('fails a run whose hold the wallet refuses, with the code, running and charging nothing', async () => {
    const platform = fakePlatform();
    platform.wallet.open = async () => {
      throw codedError('INSUFFICIENT_FUNDS', 'Not enough credits.', { available: '0' });
    };
    const ends: string[] = [];
    const a = createRunExecutor({
      runs,
      flows,
      payments: platform.wallet,
      portsFor: () => platform.ports,
      owner: 'a',
      logger: createRecordingLogger().logger,
      onEnd: (r) => ends.push(r.status),
    });
    const run = await newRun();
    await a.begin(run.id);
    await a.settled(run.id);
    expect(await runs.byId(run.id)).toMatchObject({
      status: 'FAILED',
      cost: 0n,
      holdId: null,
      error: { code: 'INSUFFICIENT_FUNDS', message: 'Not enough credits.' },
    });
    expect(await runs.steps(run.id)).toEqual([]);
    expect(platform.paid.size).toBe(0);
    expect(ends).toEqual(['FAILED']);
    await a.stop();
  });
});
