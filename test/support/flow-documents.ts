import { typed } from './typed-document.js';

export interface FlowRunView {
  id: string;
  status: string;
  teamId: string;
  dataClass: string;
  maxCost: string;
  cost: string;
  inputTokens: number;
  outputTokens: number;
  output: unknown;
  error: { code: string; message: string } | null;
  steps: Array<{
    path: string;
    stepId: string;
    kind: string;
    status: string;
    attempts: number;
    cost: string;
    inputTokens: number;
    outputTokens: number;
    output: unknown;
    error: { code: string; message: string } | null;
  }>;
}

const RUN_FIELDS = `id status teamId dataClass maxCost cost inputTokens outputTokens output
  error { code message }
  steps { path stepId kind status attempts cost inputTokens outputTokens output error { code message } }`;

export const CREATE_FLOW = typed<
  { createFlow: { id: string; teamId: string; name: string } },
  { input: { teamId: string; name: string; description?: string } }
>(`mutation($input: CreateFlowInput!) { createFlow(input: $input) { id teamId name } }`);

export const CREATE_FLOW_VERSION = typed<
  { createFlowVersion: { number: number; inputSchema: unknown; outputSchema: unknown } },
  { input: { flowId: string; definition: unknown } }
>(`mutation($input: CreateFlowVersionInput!) {
  createFlowVersion(input: $input) { number inputSchema outputSchema } }`);

export const SET_FLOW_LABEL = typed<
  { setFlowLabel: { name: string; version: number } },
  { input: { flowId: string; name: string; version: number } }
>(`mutation($input: SetFlowLabelInput!) { setFlowLabel(input: $input) { name version } }`);

export const FLOW = typed<
  {
    flow: {
      id: string;
      name: string;
      versions: Array<{ number: number }>;
      labels: Array<{ name: string; version: number }>;
    } | null;
  },
  { id: string }
>(`query($id: ID!) { flow(id: $id) { id name versions { number } labels { name version } } }`);

export const FLOWS = typed<
  { flows: { totalCount: number; edges: Array<{ node: { name: string } }> } },
  { teamId: string }
>(`query($teamId: ID!) { flows(teamId: $teamId) { totalCount edges { node { name } } } }`);

export const RUN_FLOW = typed<{ runFlow: FlowRunView }, { input: Record<string, unknown> }>(
  `mutation($input: RunFlowInput!) { runFlow(input: $input) { ${RUN_FIELDS} } }`,
);

export const FLOW_RUN = typed<{ flowRun: FlowRunView | null }, { id: string }>(
  `query($id: ID!) { flowRun(id: $id) { ${RUN_FIELDS} } }`,
);

export const FLOW_RUNS = typed<
  { flowRuns: { totalCount: number; edges: Array<{ node: { id: string } }> } },
  { teamId: string }
>(`query($teamId: ID!) { flowRuns(teamId: $teamId) { totalCount edges { node { id } } } }`);

export const CANCEL_FLOW_RUN = typed<{ cancelFlowRun: FlowRunView }, { id: string }>(
  `mutation($id: ID!) { cancelFlowRun(id: $id) { ${RUN_FIELDS} } }`,
);

export const FLOW_RUN_PROGRESS = `subscription($runId: ID!) { flowRunProgress(runId: $runId) {
  kind step { path status cost } run { id status cost } } }`;

export const HOLD_BY_KEY = typed<
  { holdByKey: { id: string; status: string; amount: string; spentAmount: string } | null },
  { walletId: string; key: string }
>(`query($walletId: ID!, $key: String!) {
  holdByKey(walletId: $walletId, idempotencyKey: $key) { id status amount spentAmount purpose } }`);
