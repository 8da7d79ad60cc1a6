import { eventually } from './eventually.js';
import {
  CREATE_FLOW,
  CREATE_FLOW_VERSION,
  FLOW_RUN,
  HOLD_BY_KEY,
  type FlowRunView,
} from './flow-documents.js';
import { expectNoErrors } from './graphql-client.js';
import { TEST_ADMIN_KEY, type Stack } from './stack.js';

const ENDED = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

/** A flow of `teamId` with one version of `definition`, made with a team admin's key. */
export async function createFlowWith(
  stack: Stack,
  token: string,
  teamId: string,
  name: string,
  definition: unknown,
) {
  const flow = expectNoErrors(
    await stack.request(CREATE_FLOW, { token, variables: { input: { teamId, name } } }),
  ).createFlow;
  expectNoErrors(
    await stack.request(CREATE_FLOW_VERSION, {
      token,
      variables: { input: { flowId: flow.id, definition } },
    }),
  );
  return flow.id;
}

/** The run once `accept` holds for it (by default: once it has ended). */
export const runWhen = (
  stack: Stack,
  token: string,
  id: string,
  accept: (run: FlowRunView) => boolean = (run) => ENDED.includes(run.status),
) =>
  eventually(
    `run ${id} as awaited`,
    async () => {
      const found = expectNoErrors(await stack.request(FLOW_RUN, { token, variables: { id } }));
      return found.flowRun && accept(found.flowRun) ? found.flowRun : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );

/** The FLOW_RUN hold of a run, as the wallet has it. */
export async function runHold(stack: Stack, teamId: string, runId: string) {
  const hold = expectNoErrors(
    await stack.request(HOLD_BY_KEY, {
      token: TEST_ADMIN_KEY,
      variables: { walletId: teamId, key: `flow-run:${runId}` },
    }),
  ).holdByKey;
  if (!hold) throw new Error(`run ${runId} has no hold`);
  return hold;
}

/** The sum of a run's steps' costs, in micros. */
export const sumOfSteps = (run: Pick<FlowRunView, 'steps'>) =>
  run.steps.reduce((total, s) => total + BigInt(s.cost), 0n);
