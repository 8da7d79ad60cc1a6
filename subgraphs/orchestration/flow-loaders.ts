import DataLoader from 'dataloader';
import type { StepRecord } from './service/flows/flow-runner.js';
import type { FlowLabelRow, FlowStore, FlowVersionRow } from './store/flow-store.js';
import type { RunStore } from './store/run-store.js';

const MAX_BATCH = 1000;

const grouped = <T>(ids: readonly string[], rows: T[], idOf: (row: T) => string) => {
  const by = new Map<string, T[]>(ids.map((id) => [id, []]));
  for (const row of rows) by.get(idOf(row))?.push(row);
  return ids.map((id) => by.get(id)!);
};

/** DataLoaders for flows and runs, one set per request (a page of runs reads its steps at once). */
export function createFlowLoaders(flows: FlowStore, runs: RunStore) {
  return {
    flowVersions: new DataLoader<string, FlowVersionRow[]>(
      async (ids) => grouped(ids, await flows.versionsOfFlows(ids), (v) => v.flowId),
      { maxBatchSize: MAX_BATCH },
    ),
    flowLabels: new DataLoader<string, FlowLabelRow[]>(
      async (ids) => grouped(ids, await flows.labelsOfFlows(ids), (l) => l.flowId),
      { maxBatchSize: MAX_BATCH },
    ),
    runSteps: new DataLoader<string, StepRecord[]>(
      async (ids) =>
        grouped(ids, await runs.stepsOfRuns(ids), (r) => r.runId).map((list) =>
          list.map((r) => r.step),
        ),
      { maxBatchSize: MAX_BATCH },
    ),
  };
}

export type FlowLoaders = ReturnType<typeof createFlowLoaders>;
