import { createHash } from 'node:crypto';
import type { Principal } from '../../../../lib/auth/principal.js';
import { badUserInput, codedError, conflict, ErrorCode, notFound } from '../../../../lib/errors.js';
import { assertUuid, isUuid } from '../../../../lib/ids.js';
import type { AuditClient } from '../../clients/audit-client.js';
import type { DataClass } from '../../clients/inference-client.js';
import type { FlowStore } from '../../store/flow-store.js';
import type { RunStore } from '../../store/run-store.js';
import { collectionsRead, higher } from './data-class.js';
import { mayAuthor, mayRun, visible } from './flow-access.js';
import type { FlowCollections } from './flow-collections.js';
import { compileJsonSchema, validateFlowDefinition } from './flow-validation.js';
import type { RunExecutor } from './run-executor.js';

const LABEL = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Who is asking, in this request. */
export interface FlowCaller {
  principal: Principal;
  requestId: string;
}

export interface RunFlowInput {
  flowId: string;
  version?: number | null;
  label?: string | null;
  inputs?: unknown;
  maxCost: bigint;
  dataClass?: DataClass | null;
  idempotencyKey?: string | null;
}

/**
 * The flows service (decision 103): authoring (flows, versions, labels), runs (start, cancel,
 * read) and the rules of who may do which, apart from GraphQL and SQL. Runs are worked by the
 * executor; this only records them and hands them over.
 */
export function createFlows(deps: {
  flows: FlowStore;
  runs: RunStore;
  executor: () => RunExecutor;
  audit: AuditClient;
  collections?: FlowCollections;
}) {
  const { flows, runs, audit } = deps;

  const flowFor = async (principal: Principal, id: string) =>
    visible(principal, isUuid(id) ? await flows.byId(id) : null, 'Flow', id);
  const runFor = async (principal: Principal, id: string) =>
    visible(principal, isUuid(id) ? await runs.byId(id) : null, 'Flow run', id);

  /** The run's class: the inputs' and every collection its retrieve steps read, the highest. */
  async function dataClassOf(teamId: string, declared: DataClass, collections: string[]) {
    let result = declared;
    if (collections.length && !deps.collections) {
      throw codedError(
        ErrorCode.SERVICE_UNAVAILABLE,
        'This flow reads retrieval collections, which are not available on this platform yet.',
      );
    }
    for (const id of collections) {
      result = higher(result, await deps.collections!.dataClassOf(teamId, id));
    }
    return result;
  }

  return {
    flow: async (caller: FlowCaller, id: string) => {
      try {
        return await flowFor(caller.principal, id);
      } catch {
        return null;
      }
    },

    async createFlow(
      caller: FlowCaller,
      input: { teamId: string; name: string; description?: string | null },
    ) {
      assertUuid(input.teamId, 'teamId');
      mayAuthor(caller.principal, input.teamId);
      const name = input.name.trim();
      if (name.length < 1 || name.length > 200) {
        throw badUserInput('name must be 1 to 200 characters.', { field: 'name' });
      }
      const created = await flows.create({
        teamId: input.teamId,
        name,
        description: input.description ?? '',
        createdBy: caller.principal.id,
      });
      if (!created) throw conflict(`The team already has a flow named "${name}".`);
      return created;
    },

    async createVersion(caller: FlowCaller, input: { flowId: string; definition: unknown }) {
      const flow = await flowFor(caller.principal, input.flowId);
      mayAuthor(caller.principal, flow.teamId);
      const definition = validateFlowDefinition(input.definition);
      const version = await flows.addVersion(flow.id, definition, caller.principal.id);
      await audit.record({
        teamId: flow.teamId,
        action: 'FLOW_VERSION_CREATED',
        outcome: 'SUCCEEDED',
        targetType: 'Flow',
        targetId: flow.id,
        details: { by: caller.principal.id, name: flow.name, version: version.version },
        requestId: caller.requestId,
      });
      return version;
    },

    async setLabel(caller: FlowCaller, input: { flowId: string; name: string; version: number }) {
      const flow = await flowFor(caller.principal, input.flowId);
      mayAuthor(caller.principal, flow.teamId);
      if (!LABEL.test(input.name)) {
        throw badUserInput(
          'A label is 1 to 64 lower-case letters, digits, "-" or "_", starting with a letter or digit.',
          { field: 'name' },
        );
      }
      const moved = await flows.moveLabel({
        flowId: flow.id,
        label: input.name,
        version: input.version,
        movedBy: caller.principal.id,
      });
      if (!moved.moved) throw notFound('Flow version', `${flow.id}@${input.version}`);
      await audit.record({
        teamId: flow.teamId,
        action: 'FLOW_LABEL_MOVED',
        outcome: 'SUCCEEDED',
        targetType: 'Flow',
        targetId: flow.id,
        details: {
          by: caller.principal.id,
          name: flow.name,
          label: input.name,
          from: moved.previousVersion,
          to: input.version,
        },
        requestId: caller.requestId,
      });
      return moved.label;
    },

    /**
     * Records a run and hands it to this replica's executor. Idempotent: the same key and the
     * same request give the run first made; the same key with another request is
     * IDEMPOTENCY_CONFLICT.
     */
    async runFlow(caller: FlowCaller, input: RunFlowInput) {
      const flow = await flowFor(caller.principal, input.flowId);
      mayRun(caller.principal, flow.teamId);
      if (input.version != null && input.label != null) {
        throw badUserInput('Name at most one of version and label.', { field: 'version' });
      }
      if (input.maxCost <= 0n) {
        throw badUserInput('maxCost must be greater than zero.', { field: 'maxCost' });
      }
      const key = input.idempotencyKey ?? undefined;
      if (key !== undefined && (key.length < 1 || key.length > 200)) {
        throw badUserInput('idempotencyKey must be 1 to 200 characters.', {
          field: 'idempotencyKey',
        });
      }
      const version = await flows.resolve(flow.id, {
        version: input.version ?? undefined,
        label: input.label ?? undefined,
      });
      if (!version) {
        throw notFound('Flow version', `${flow.id}@${input.label ?? input.version ?? 'latest'}`);
      }
      const inputs = input.inputs ?? {};
      const problems = compileJsonSchema(version.definition.inputs)(inputs);
      if (problems.length) {
        throw badUserInput(
          `The run's inputs are invalid: ${problems[0]!.path} ${problems[0]!.message}.`,
          { problems },
        );
      }
      const dataClass = await dataClassOf(
        flow.teamId,
        input.dataClass ?? 'INTERNAL',
        collectionsRead(version.definition),
      );
      const requestHash = createHash('sha256')
        .update(
          JSON.stringify([flow.id, version.version, inputs, String(input.maxCost), dataClass]),
        )
        .digest('hex');
      const { run, created } = await runs.create({
        teamId: flow.teamId,
        flowId: flow.id,
        version: version.version,
        idempotencyKey: key,
        requestHash,
        inputs,
        dataClass,
        maxCost: input.maxCost,
        creator: caller.principal,
      });
      if (!created && run.requestHash !== requestHash) {
        throw codedError(
          ErrorCode.IDEMPOTENCY_CONFLICT,
          'This idempotency key was used for another run request.',
        );
      }
      if (created) await deps.executor().begin(run.id);
      return (await runs.byId(run.id)) ?? run;
    },

    async cancelRun(caller: FlowCaller, id: string) {
      const run = await runFor(caller.principal, id);
      mayRun(caller.principal, run.teamId);
      await deps.executor().cancel(run.id);
      return (await runs.byId(run.id))!;
    },

    run: async (caller: FlowCaller, id: string) => {
      try {
        return await runFor(caller.principal, id);
      } catch {
        return null;
      }
    },

    /** For progress: the run when the caller may read it, NOT_FOUND otherwise. */
    readableRun: (caller: FlowCaller, id: string) => runFor(caller.principal, id),

    flowsOfTeam: (teamId: string, limit: number, after: string | null) =>
      flows.list(teamId, limit, after),
    countFlows: (teamId: string) => flows.count(teamId),
    runsOfTeam: (teamId: string, limit: number, before: string | null) =>
      runs.list(teamId, limit, before),
    countRuns: (teamId: string) => runs.count(teamId),
    version: (flowId: string, version: number) => flows.version(flowId, version),
  };
}

export type Flows = ReturnType<typeof createFlows>;
