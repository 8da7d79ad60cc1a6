import { randomUUID } from 'node:crypto';
import { runMigrations } from '../../../../lib/db/index.js';
import { teamKey } from '../../../../test/support/identities.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/stores.js';
import { STORE_MODES } from '../../../../test/support/test-env.js';
import type { AuditClient } from '../../clients/audit-client.js';
import { createFlowStore } from '../../store/flow-store.js';
import { orchestrationMigrations } from '../../store/migrations.js';
import { createRunStore } from '../../store/run-store.js';
import type { FlowCollections } from './flow-collections.js';
import { createFlows } from './flows.js';
import type { RunExecutor } from './run-executor.js';

const definition = {
  inputs: { type: 'object' },
  steps: [
    { id: 'find', kind: 'retrieve', collection: 'hr', query: '"leave policy"' },
    { id: 'also', kind: 'retrieve', collection: 'docs', query: '"leave policy"' },
  ],
};

/*
 * The flows service on an embedded store, the executor and collections as fakes: a run's data
 * class is fixed when it is asked for, from its inputs and the collections it reads, and
 * authoring is audited.
 */
describe.each(STORE_MODES)('the flows service (%s stores)', (mode) => {
  let database: TestDatabase;
  const teamId = randomUUID();
  const caller = {
    principal: teamKey(teamId, ['policy:admin', 'inference:invoke'], 'key:admin'),
    requestId: 'r1',
  };
  const audited: unknown[] = [];
  const audit = { record: async (...events: unknown[]) => void audited.push(...events) };
  const begun: string[] = [];
  const executor = { begin: async (id: string) => begun.push(id) > 0 } as unknown as RunExecutor;
  const classes: Record<string, 'PUBLIC' | 'RESTRICTED'> = { hr: 'RESTRICTED', docs: 'PUBLIC' };
  const collections = {
    dataClassOf: async (_team: string, id: string) => classes[id]!,
  } as unknown as FlowCollections;
  let service: (withCollections: boolean) => ReturnType<typeof createFlows>;

  beforeAll(async () => {
    database = await createTestDatabase(mode);
    const db = await database.open('orchestration');
    await runMigrations(db, orchestrationMigrations);
    service = (withCollections) =>
      createFlows({
        flows: createFlowStore(db),
        runs: createRunStore(db),
        executor: () => executor,
        audit: audit as unknown as AuditClient,
        collections: withCollections ? collections : undefined,
      });
  });
  afterAll(() => database?.drop());

  it('takes the highest data class of the inputs and the collections read', async () => {
    const flows = service(true);
    const flow = await flows.createFlow(caller, { teamId, name: 'hr answers' });
    await flows.createVersion(caller, { flowId: flow.id, definition });
    await flows.setLabel(caller, { flowId: flow.id, name: 'production', version: 1 });
    const run = await flows.runFlow(caller, {
      flowId: flow.id,
      label: 'production',
      maxCost: 10n,
      dataClass: 'PUBLIC',
    });
    expect(run).toMatchObject({ dataClass: 'RESTRICTED', version: 1, creator: caller.principal });
    expect(begun).toEqual([run.id]);
    expect(audited).toEqual([
      expect.objectContaining({ action: 'FLOW_VERSION_CREATED', targetId: flow.id }),
      expect.objectContaining({
        action: 'FLOW_LABEL_MOVED',
        details: expect.objectContaining({ label: 'production', from: null, to: 1 }),
      }),
    ]);
    await expect(
      service(false).runFlow(caller, { flowId: flow.id, maxCost: 10n }),
    ).rejects.toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
  });
});
