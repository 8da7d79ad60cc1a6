import { randomUUID } from 'node:crypto';
import { createKeyAs, REVOKE_API_KEY } from '../api-keys.js';
import { expectNoErrors } from '../graphql-client.js';
import { TEST_ADMIN_KEY, type Stack } from '../stack.js';
import { typed, type Operation } from '../typed-document.js';

export type Vars = Record<string, unknown>;

/** What the rows need: team A, its wallet's holds and capture, a model the admin may change. */
export interface Fixture {
  stack: Stack;
  teamA: string;
  ruleToRemove: string;
  holdToCapture: string;
  holdToVoid: string;
  captureId: string;
  modelId: string;
  /** Team A's purchase (an open checkout). */
  purchaseId: string;
  /** Team A's PAID purchase, refunded a cent at a time. */
  paidPurchaseId: string;
}

export interface MatrixOperation {
  query: Operation<Record<string, unknown>, Vars>;
  /** Builds the variables, creating a fresh target (as the org admin) where success would use one up. */
  vars: (f: Fixture) => Vars | Promise<Vars>;
}

export const fresh = () => randomUUID().slice(0, 8);
/** Runs `operation` as the org admin, failing on any error. */
export const asAdmin = <D>(f: Fixture, operation: Operation<D, Vars>, variables: Vars) =>
  f.stack.request(operation, { token: TEST_ADMIN_KEY, variables }).then(expectNoErrors);
export const ADD_MEMBER = typed<{ addTeamMember: { userId: string } }>(
  `mutation($input: AddTeamMemberInput!) { addTeamMember(input: $input) { userId } }`,
);
export const GRANT = typed<{ grantCredits: { id: string } }>(`mutation($w: ID!, $k: String!) {
  grantCredits(walletId: $w, amount: "1000000", idempotencyKey: $k) { id } }`);
export const HOLD = typed<{ authorizeHold: { id: string } }>(`mutation($w: ID!, $k: String!) {
  authorizeHold(walletId: $w, amount: "100", idempotencyKey: $k, expiresInSeconds: 600) { id } }`);
export const REGISTER_MODEL = typed<{ registerModel: { id: string } }>(`mutation($id: ID!) {
  registerModel(input: { id: $id, providerId: "openai",
  displayName: "Matrix", capabilities: [CHAT], contextWindow: 1024, maxOutputTokens: 256,
  price: { inputPerMillion: "1", outputPerMillion: "1" } }) { id } }`);
export const SET_MODEL_ACCESS = typed<{
  setModelAccess: { id: string };
}>(`mutation($t: ID!, $v: String!) {
      setModelAccess(input: { teamId: $t, effect: ALLOW, subject: TAG, value: $v }) { id } }`);

export const CHECKOUT = typed<{ createCheckout: { purchase: { id: string } } }>(
  `mutation($t: ID!, $k: String!) { createCheckout(input: { teamId: $t, amountMinor: 1000,
    idempotencyKey: $k }) { url purchase { id } } }`,
);

/** One row of the matrix per operation: what it sends and how it builds its variables. */
export const OPERATIONS: Record<string, MatrixOperation> = {
  registerModel: { query: REGISTER_MODEL, vars: () => ({ id: `openai/matrix-${fresh()}` }) },
  updateModel: {
    query: `mutation($id: ID!) { updateModel(id: $id, input: { displayName: "Renamed" }) { id } }`,
    vars: (f) => ({ id: f.modelId }),
  },
  deprecateModel: {
    query: `mutation($id: ID!) { deprecateModel(id: $id) { id } }`,
    vars: (f) => ({ id: f.modelId }),
  },
  registerProvider: {
    query: `mutation($id: ID!) { registerProvider(input: { id: $id, displayName: "P", kind: LOCAL }) { id } }`,
    vars: () => ({ id: `p-${fresh()}` }),
  },
  setModelRoute: {
    query: `mutation($a: ID!) { setModelRoute(input: { alias: $a, strategy: FALLBACK,
      targets: [{ modelId: "local/echo-chat" }] }) { alias } }`,
    vars: () => ({ a: `r-${fresh()}` }),
  },
  createTeam: {
    query: `mutation($n: String!) { createTeam(input: { name: $n }) { id } }`,
    vars: () => ({ n: `Matrix ${fresh()}` }),
  },
  addTeamMember: {
    query: ADD_MEMBER,
    vars: (f) => ({ input: { teamId: f.teamA, userId: `new-${fresh()}`, role: 'MEMBER' } }),
  },
  removeTeamMember: {
    query: `mutation($t: ID!, $u: ID!) { removeTeamMember(teamId: $t, userId: $u) { userId } }`,
    vars: async (f) => {
      const u = `leaver-${fresh()}`;
      await asAdmin(f, ADD_MEMBER, { input: { teamId: f.teamA, userId: u, role: 'MEMBER' } });
      return { t: f.teamA, u };
    },
  },
  createApiKey: {
    query: `mutation($t: ID!) { createApiKey(input: { teamId: $t, name: "m", scopes: ["models:read"] }) { secret } }`,
    vars: (f) => ({ t: f.teamA }),
  },
  revokeApiKey: {
    query: REVOKE_API_KEY,
    vars: async (f) => ({
      id: (await createKeyAs(f.stack, TEST_ADMIN_KEY, { teamId: f.teamA, scopes: ['models:read'] }))
        .id,
    }),
  },
  grantCredits: { query: GRANT, vars: (f) => ({ w: f.teamA, k: fresh() }) },
  refund: {
    query: `mutation($c: ID!, $k: String!) { refund(captureId: $c, amount: "1", idempotencyKey: $k) { id } }`,
    vars: (f) => ({ c: f.captureId, k: fresh() }),
  },
  debitCredits: {
    query: `mutation($w: ID!, $k: String!) {
      debitCredits(walletId: $w, amount: "1", idempotencyKey: $k) { debitedAmount } }`,
    vars: (f) => ({ w: f.teamA, k: fresh() }),
  },
  setWalletSuspended: {
    query: `mutation($w: ID!) { setWalletSuspended(walletId: $w, suspended: false) { id } }`,
    vars: (f) => ({ w: f.teamA }),
  },
  setLowBalanceThreshold: {
    query: `mutation($w: ID!) { setLowBalanceThreshold(walletId: $w, threshold: null) { id } }`,
    vars: (f) => ({ w: f.teamA }),
  },
  grantsForPayments: {
    query: `{ grantsForPayments(paymentIds: ["pi_matrix"]) { id } }`,
    vars: () => ({}),
  },
  balanceCrossings: { query: `{ balanceCrossings { totalCount } }`, vars: () => ({}) },
  walletStatement: {
    query: `query($w: ID!) { walletStatement(walletId: $w, from: "2020-01-01T00:00:00Z",
      to: "2100-01-01T00:00:00Z") { granted usageByModel { calls } } }`,
    vars: (f) => ({ w: f.teamA }),
  },
  authorizeHold: { query: HOLD, vars: (f) => ({ w: f.teamA, k: fresh() }) },
  captureHold: {
    query: `mutation($h: ID!, $k: String!) { captureHold(holdId: $h, amount: "50", idempotencyKey: $k) { id } }`,
    vars: (f) => ({ h: f.holdToCapture, k: fresh() }),
  },
  spendFromHolds: {
    query: `mutation($h: ID!, $k: String!) {
      spendFromHolds(spends: [{ holdId: $h, amount: "1", idempotencyKey: $k }]) { id } }`,
    vars: (f) => ({ h: f.holdToCapture, k: fresh() }),
  },
  voidHold: {
    query: `mutation($h: ID!) { voidHold(holdId: $h) { id } }`,
    vars: (f) => ({ h: f.holdToVoid }),
  },
  holdByKey: {
    query: `query($w: ID!) { holdByKey(walletId: $w, idempotencyKey: "matrix-captured") { id } }`,
    vars: (f) => ({ w: f.teamA }),
  },
  setBudget: {
    query: `mutation($w: ID!) { setBudget(walletId: $w, input: { monthlyLimit: "1000000000000" }) { id } }`,
    vars: (f) => ({ w: f.teamA }),
  },
  setAutoRecharge: {
    query: `mutation($t: ID!) { setAutoRecharge(teamId: $t,
      input: { enabled: false, thresholdCredits: "1000000", amountMinor: 1000 }) { enabled } }`,
    vars: (f) => ({ t: f.teamA }),
  },
  setQuota: {
    query: `mutation($t: ID!) { setQuota(teamId: $t, input: { requestsPerMinute: 100000 }) { id } }`,
    vars: (f) => ({ t: f.teamA }),
  },
  setModelAccess: {
    query: SET_MODEL_ACCESS,
    vars: (f) => ({ t: f.teamA, v: `t${fresh()}` }),
  },
  removeModelAccess: {
    query: `mutation($id: ID!) { removeModelAccess(id: $id) { id } }`,
    vars: (f) => ({ id: f.ruleToRemove }),
  },
  accessDecisions: {
    query: `query($t: ID!) { accessDecisions(checks: [{ teamId: $t, modelId: "local/echo-chat",
      providerId: "local", capabilities: [CHAT], tags: [], modelClassification: RESTRICTED }]) { allowed } }`,
    vars: (f) => ({ t: f.teamA }),
  },
  'team members/apiKeys': {
    query: `query($id: ID!) { team(id: $id) { members { userId } apiKeys { prefix } } }`,
    vars: (f) => ({ id: f.teamA }),
  },
  fieldUsage: {
    query: `query($s: DateTime!) { fieldUsage(since: $s) { coordinate count } }`,
    vars: () => ({ s: '2026-01-01T00:00:00Z' }),
  },
  operationUsage: {
    query: `query($s: DateTime!) { operationUsage(since: $s) { operationName count } }`,
    vars: () => ({ s: '2026-01-01T00:00:00Z' }),
  },
  'usage (team)': {
    query: `query($t: ID!) { usage(teamId: $t, from: "2026-12-01T00:00:00Z",
      to: "2026-12-02T00:00:00Z", granularity: DAY) { totals { requests } } }`,
    vars: (f) => ({ t: f.teamA }),
  },
  'usage (organization)': {
    query: `query { usage(from: "2026-12-01T00:00:00Z", to: "2026-12-02T00:00:00Z",
      granularity: DAY, groupBy: [MODEL]) { totals { requests } } }`,
    vars: () => ({}),
  },
  auditLog: {
    query: `query($id: ID!) { auditLog(teamId: $id) { totalCount } }`,
    vars: (f) => ({ id: f.teamA }),
  },
  wallet: {
    query: `query($id: ID!) { wallet(id: $id) { balance { available } transactions { totalCount } } }`,
    vars: (f) => ({ id: f.teamA }),
  },
  'team wallet budget': {
    query: `query($id: ID!) { team(id: $id) { wallet { budget { monthlyLimit } } } }`,
    vars: (f) => ({ id: f.teamA }),
  },
  'team autoRecharge': {
    query: `query($id: ID!) { team(id: $id) { autoRecharge { enabled status } } }`,
    vars: (f) => ({ id: f.teamA }),
  },
  'provider secrets': {
    query: `{ provider(id: "openai") { apiKeyEnv baseUrl } }`,
    vars: () => ({}),
  },
  models: { query: `{ models { totalCount } }`, vars: () => ({}) },
  createCheckout: { query: CHECKOUT, vars: (f) => ({ t: f.teamA, k: fresh() }) },
  createPrompt: {
    query: `mutation($t: ID!, $n: String!) { createPrompt(input: { teamId: $t, name: $n }) { id } }`,
    vars: (f) => ({ t: f.teamA, n: `matrix-${fresh()}` }),
  },
  'team prompts': {
    query: `query($t: ID!) { prompts(teamId: $t) { totalCount } }`,
    vars: (f) => ({ t: f.teamA }),
  },
  createFlow: {
    query: `mutation($t: ID!, $n: String!) { createFlow(input: { teamId: $t, name: $n }) { id } }`,
    vars: (f) => ({ t: f.teamA, n: `matrix-${fresh()}` }),
  },
  'team flows': {
    query: `query($t: ID!) { flows(teamId: $t) { totalCount } }`,
    vars: (f) => ({ t: f.teamA }),
  },
  'team flowRuns': {
    query: `query($t: ID!) { flowRuns(teamId: $t) { totalCount } }`,
    vars: (f) => ({ t: f.teamA }),
  },
  purchase: {
    query: `query($id: ID!) { purchase(id: $id) { id status } }`,
    vars: (f) => ({ id: f.purchaseId }),
  },
  'team purchases': {
    query: `query($t: ID!) { team(id: $t) { purchases(first: 5) { totalCount } } }`,
    vars: (f) => ({ t: f.teamA }),
  },
  paymentEvents: {
    query: `{ paymentEvents(first: 5) { edges { node { id } } } }`,
    vars: () => ({}),
  },
  creditPrices: { query: `{ creditPrices { currency packs { id } } }`, vars: () => ({}) },
  'team statement': {
    query: `query($t: ID!) { team(id: $t) { statement(month: "2026-01") { closingBalance csv } } }`,
    vars: (f) => ({ t: f.teamA }),
  },
  reconciliationRuns: {
    query: `{ reconciliationRuns(first: 1) { id findings { kind } } }`,
    vars: () => ({}),
  },
  refundPurchase: {
    query: `mutation($p: ID!, $k: String!) {
      refundPurchase(purchaseId: $p, amountMinor: 1, idempotencyKey: $k) { id status } }`,
    vars: (f) => ({ p: f.paidPurchaseId, k: fresh() }),
  },
  'purchase refunds': {
    query: `query($id: ID!) { purchase(id: $id) { refunds { id } disputes { id } } }`,
    vars: (f) => ({ id: f.paidPurchaseId }),
  },
};
