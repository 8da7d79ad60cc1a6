import { randomUUID } from 'node:crypto';
import { runMigrations } from '../../lib/db/index.js';
import { teamKey } from '../../test/support/identities.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/stores.js';
import { STORE_MODES } from '../../test/support/test-env.js';
import { createFlowLoaders } from './flow-loaders.js';
import { createFlowStore, type FlowStore } from './store/flow-store.js';
import { orchestrationMigrations } from './store/migrations.js';
import { createRunStore, type RunStore } from './store/run-store.js';

/** The flow loaders batch: one store call for all the keys of a tick, answered in key order. */
describe.each(STORE_MODES)('flow loaders (%s stores)', (mode) => {
  let database: TestDatabase;
  let flows: FlowStore;
  let runs: RunStore;

  beforeAll(async () => {
    database = await createTestDatabase(mode);
    const db = await database.open('orchestration');
    await runMigrations(db, orchestrationMigrations);
    flows = createFlowStore(db);
    runs = createRunStore(db);
  });
  afterAll(() => database?.drop());

  it('loads the steps of a page of runs and the versions of a page of flows in one call each', async () => {
    const teamId = randomUUID();
    const ids: string[] = [];
    const runIds: string[] = [];
    for (const name of ['a', 'b']) {
      const flow = (await flows.create({ teamId, name, createdBy: 'u' }))!;
      await flows.addVersion(flow.id, { inputs: { type: 'object' }, steps: [] }, 'u');
      ids.push(flow.id);
      const { run } = await runs.create({
        teamId,
        flowId: flow.id,
        version: 1,
        requestHash: name,
        inputs: {},
        dataClass: 'PUBLIC',
        maxCost: 1n,
        creator: teamKey(teamId, []),
      });
      runIds.push(run.id);
    }
    const journal = await runs.journal(runIds[1]!);
    await journal.stepStarted({
      path: 's',
      stepId: 's',
      kind: 'transform',
      status: 'RUNNING',
      attempts: 1,
      startedAt: new Date(),
      cost: 0n,
      inputTokens: 0,
      outputTokens: 0,
    });
    const calls: string[][] = [];
    const watched = {
      ...runs,
      stepsOfRuns: (batch: readonly string[]) => {
        calls.push([...batch]);
        return runs.stepsOfRuns(batch);
      },
    } as RunStore;
    const loaders = createFlowLoaders(flows, watched);
    const [first, second] = await Promise.all(runIds.map((id) => loaders.runSteps.load(id)));
    expect(calls).toEqual([runIds]);
    expect(first).toEqual([]);
    expect(second!.map((s) => s.path)).toEqual(['s']);
    const versions = await Promise.all(ids.map((id) => loaders.flowVersions.load(id)));
    expect(versions.map((list) => list.map((v) => [v.flowId, v.version]))).toEqual(
      ids.map((id) => [[id, 1]]),
    );
  });
});
