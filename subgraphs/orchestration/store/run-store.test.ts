import { randomUUID } from 'node:crypto';
import { runMigrations, type Db } from '../../../lib/db/index.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/stores.js';
import { STORE_MODES } from '../../../test/support/test-env.js';
import { validateFlowDefinition } from '../service/flows/flow-validation.js';
import { runFlow } from '../service/flows/flow-runner.js';
import type { FlowPorts } from '../service/flows/flow-ports.js';
import { flowMigrations } from './flow-migrations.js';
import { createFlowStore, type FlowStore } from './flow-store.js';
import { createRunStore, type RunStore } from './run-store.js';

const DEFINITION = validateFlowDefinition({
  inputs: { type: 'object' },
  steps: [
    { id: 'a', kind: 'generate', model: 'm', messages: [{ role: 'USER', content: '"one"' }] },
    { id: 'b', kind: 'transform', expression: 'steps.a.text & "!"' },
  ],
  output: 'steps.b',
});

describe.each(STORE_MODES)('flow and run stores (%s stores)', (mode) => {
  let database: TestDatabase;
  let db: Db;
  let flows: FlowStore;
  let runs: RunStore;
  const teamId = randomUUID();

  beforeAll(async () => {
    database = await createTestDatabase(mode);
    db = await database.open('orchestration');
    await runMigrations(db, flowMigrations);
    flows = createFlowStore(db);
    runs = createRunStore(db);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('numbers versions 1, 2, … even when saved at once; labels move and resolve', async () => {
    const flow = (await flows.create({ teamId, name: 'rag', createdBy: 'u1' }))!;
    expect(await flows.create({ teamId, name: 'rag', createdBy: 'u1' })).toBeNull();
    const saved = await Promise.all(
      [1, 2, 3].map(() => flows.addVersion(flow.id, DEFINITION, 'u1')),
    );
    expect(saved.map((v) => v.version).sort()).toEqual([1, 2, 3]);
    expect((await flows.version(flow.id, 2))!.definition).toEqual(DEFINITION);

    expect(
      await flows.moveLabel({ flowId: flow.id, label: 'production', version: 9, movedBy: 'u1' }),
    ).toEqual({
      moved: false,
    });
    const first = await flows.moveLabel({
      flowId: flow.id,
      label: 'production',
      version: 1,
      movedBy: 'u1',
    });
    expect(first).toMatchObject({ moved: true, previousVersion: null });
    const second = await flows.moveLabel({
      flowId: flow.id,
      label: 'production',
      version: 2,
      movedBy: 'u2',
    });
    expect(second).toMatchObject({
      moved: true,
      previousVersion: 1,
      label: { version: 2, movedBy: 'u2' },
    });
    expect((await flows.resolve(flow.id, { label: 'production' }))!.version).toBe(2);
    expect((await flows.resolve(flow.id, {}))!.version).toBe(3);
    expect(await flows.resolve(flow.id, { label: 'staging' })).toBeNull();
  });

  it('makes a run once per idempotency key, and one replica at a time works it', async () => {
    const flow = (await flows.create({ teamId, name: 'once', createdBy: 'u1' }))!;
    await flows.addVersion(flow.id, DEFINITION, 'u1');
    const input = {
      teamId,
      flowId: flow.id,
      version: 1,
      idempotencyKey: 'run-key',
      requestHash: 'h1',
      inputs: { q: 1 },
      dataClass: 'INTERNAL',
      maxCost: 5_000n,
      creator: {
        id: 'u1',
        kind: 'USER' as const,
        orgId: 'default',
        roles: [],
        scopes: [],
        teams: [],
      },
    };
    const made = await runs.create(input);
    const again = await runs.create({ ...input, requestHash: 'h2' });
    expect(made.created).toBe(true);
    expect(again).toMatchObject({ created: false, run: { id: made.run.id, requestHash: 'h1' } });
    expect(made.run).toMatchObject({
      status: 'QUEUED',
      maxCost: 5_000n,
      cost: 0n,
      inputs: { q: 1 },
    });

    const mine = await runs.claim(made.run.id, 'replica-a', 60_000);
    expect(mine).toMatchObject({ status: 'RUNNING', owner: 'replica-a', attempts: 1 });
    expect(await runs.claim(made.run.id, 'replica-b', 60_000)).toBeNull();
    expect(await runs.claimLapsed('replica-b', 60_000, 10)).toEqual([]);

    expect(await runs.requestCancel(made.run.id)).toMatchObject({ cancelRequested: true });
    expect(await runs.renew(made.run.id, 'replica-a', 60_000)).toEqual({ cancelRequested: true });
    expect(await runs.renew(made.run.id, 'replica-b', 60_000)).toBeNull();

    // Replica A dies: its lease lapses and B takes the run over.
    await db.query(`UPDATE flow_runs SET lease_until = now() - interval '1 second' WHERE id = $1`, [
      made.run.id,
    ]);
    const taken = await runs.claimLapsed('replica-b', 60_000, 10);
    expect(taken.map((r) => [r.id, r.owner, r.attempts])).toEqual([[made.run.id, 'replica-b', 2]]);
    expect(
      await runs.finish(made.run.id, 'replica-a', {
        status: 'FAILED',
        cost: 0n,
        inputTokens: 0,
        outputTokens: 0,
      }),
    ).toBeNull();
    const ended = await runs.finish(made.run.id, 'replica-b', {
      status: 'CANCELLED',
      cost: 120n,
      inputTokens: 3,
      outputTokens: 4,
      error: { code: 'RUN_CANCELLED', message: 'The run was cancelled.' },
    });
    expect(ended).toMatchObject({
      status: 'CANCELLED',
      cost: 120n,
      owner: null,
      error: { code: 'RUN_CANCELLED' },
    });
    expect(await runs.requestCancel(made.run.id)).toBeNull();
  });

  it('journals steps so a resumed run reuses what finished and pays for nothing twice', async () => {
    const flow = (await flows.create({ teamId, name: 'journaled', createdBy: 'u1' }))!;
    await flows.addVersion(flow.id, DEFINITION, 'u1');
    const { run } = await runs.create({
      teamId,
      flowId: flow.id,
      version: 1,
      requestHash: 'h',
      inputs: {},
      dataClass: 'PUBLIC',
      maxCost: 1_000n,
      creator: {
        id: 'u1',
        kind: 'USER' as const,
        orgId: 'default',
        roles: [],
        scopes: [],
        teams: [],
      },
    });
    let calls = 0;
    const ports = {
      generate: async (_args: unknown, call: { reserve(n: bigint): void }) => {
        call.reserve(200n);
        calls += 1;
        return { output: { text: 'hi' }, cost: 120n, inputTokens: 3, outputTokens: 4 };
      },
    } as unknown as FlowPorts;
    const options = { definition: DEFINITION, inputs: {}, maxCost: 1_000n, runKey: run.id, ports };
    const first = await runFlow({ ...options, journal: await runs.journal(run.id) });
    expect(first).toMatchObject({ output: 'hi!', cost: 120n });
    const steps = await runs.steps(run.id);
    expect(steps.map((s) => [s.path, s.status, s.cost, s.output])).toEqual([
      ['a', 'SUCCEEDED', 120n, { text: 'hi' }],
      ['b', 'SUCCEEDED', 0n, 'hi!'],
    ]);
    // Run again from the stored journal (as after a crash before the run's end was written).
    const resumed = await runFlow({ ...options, journal: await runs.journal(run.id) });
    expect(resumed).toMatchObject({ output: 'hi!', cost: 120n, inputTokens: 3 });
    expect(calls).toBe(1);
  });
});
