/**
 * Operations and helpers for billing's statements and reconciliation tests: reading a statement
 * and its CSV through the gateway, running reconciliation, and moving credits as an organization
 * admin to inject mismatches into the ledger.
 */
import { expectNoErrors } from './graphql-client.js';
import type { Stack } from './stack.js';
import { TEST_ADMIN_KEY } from './stack.js';
import { typed } from './typed-document.js';

export interface StatementView {
  month: string;
  openingBalance: string;
  purchases: Array<{ id: string; credits: string | null; paidAmountMinor: number | null }>;
  purchasedCredits: string;
  grantedCredits: string;
  usageCredits: string;
  usageByModel: Array<{ modelId: string; credits: string; calls: number }>;
  refundedUsageCredits: string;
  clawedBackCredits: string;
  closingBalance: string;
  owedAtOpen: string;
  owedAtClose: string;
  csv: string;
  csvUrl: string;
}

export const STATEMENT = typed<
  { team: { statement: StatementView } | null },
  { teamId: string; month: string }
>(`query Statement($teamId: ID!, $month: String!) { team(id: $teamId) { statement(month: $month) {
  month openingBalance purchases { id credits paidAmountMinor } purchasedCredits grantedCredits
  usageCredits usageByModel { modelId credits calls } refundedUsageCredits clawedBackCredits
  closingBalance owedAtOpen owedAtClose csv csvUrl
} } }`);

export interface FindingView {
  kind: string;
  paymentId: string;
  teamId: string | null;
  purchaseId: string | null;
  expectedCredits: string;
  actualCredits: string;
  repaired: boolean;
  detail: string;
}

export interface RunView {
  id: string;
  since: string;
  startedAt: string;
  finishedAt: string | null;
  paymentsChecked: number;
  findings: FindingView[];
}

const RUN_FIELDS = `id since startedAt finishedAt paymentsChecked
  findings { kind paymentId teamId purchaseId expectedCredits actualCredits repaired detail }`;

export const RUN_RECONCILIATION = typed<{ runReconciliation: RunView }, { since?: string }>(
  `mutation Reconcile($since: DateTime) { runReconciliation(since: $since) { ${RUN_FIELDS} } }`,
);

export const RECONCILIATION_RUNS = typed<{ reconciliationRuns: RunView[] }, { first?: number }>(
  `query Runs($first: Int) { reconciliationRuns(first: $first) { ${RUN_FIELDS} } }`,
);

const GRANT = typed<
  { grantCredits: { id: string } },
  {
    w: string;
    a: string;
    k: string;
    m?: { paymentId?: string; purchaseId?: string; source?: string };
  }
>(`mutation Grant($w: ID!, $a: Micros!, $k: String!, $m: GrantMetadataInput) {
  grantCredits(walletId: $w, amount: $a, idempotencyKey: $k, metadata: $m) { id } }`);

const HOLD = typed<{ authorizeHold: { id: string } }, { w: string; a: string; k: string }>(
  `mutation Hold($w: ID!, $a: Micros!, $k: String!) {
  authorizeHold(walletId: $w, amount: $a, idempotencyKey: $k, expiresInSeconds: 60,
    metadata: { modelId: "local/echo-chat", priceVersion: 1, requestId: "req-statement" }) { id } }`,
);

const CAPTURE = typed<{ captureHold: { status: string } }, { h: string; a: string; k: string }>(
  `mutation Capture($h: ID!, $a: Micros!, $k: String!) {
  captureHold(holdId: $h, amount: $a, idempotencyKey: $k,
    usage: { inputTokens: 10, outputTokens: 20 }) { status } }`,
);

const DEBIT = typed<
  { debitCredits: { debitedAmount: string; owedAmount: string } },
  { w: string; a: string; k: string }
>(`mutation Debit($w: ID!, $a: Micros!, $k: String!) {
  debitCredits(walletId: $w, amount: $a, idempotencyKey: $k, memo: "clawed back") {
    debitedAmount owedAmount } }`);

/** Takes credits back out of a wallet as an organization admin (what it cannot take is owed). */
export async function adminDebit(stack: Stack, teamId: string, amount: bigint, key: string) {
  return expectNoErrors(
    await stack.request(DEBIT, {
      token: TEST_ADMIN_KEY,
      variables: { w: teamId, a: amount.toString(), k: key },
    }),
  ).debitCredits;
}

export const GRANTS_FOR_PAYMENTS = typed<
  { grantsForPayments: Array<{ id: string; amount: string; paymentId: string }> },
  { ids: string[] }
>(`query Grants($ids: [String!]!) { grantsForPayments(paymentIds: $ids) { id amount paymentId } }`);

/** Grants credits as an organization admin, with payment metadata when given. */
export async function adminGrant(
  stack: Stack,
  input: { teamId: string; amount: bigint; key: string; paymentId?: string; purchaseId?: string },
): Promise<string> {
  const metadata = input.paymentId
    ? { paymentId: input.paymentId, purchaseId: input.purchaseId, source: 'test' }
    : undefined;
  const { grantCredits } = expectNoErrors(
    await stack.request(GRANT, {
      token: TEST_ADMIN_KEY,
      variables: { w: input.teamId, a: input.amount.toString(), k: input.key, m: metadata },
    }),
  );
  return grantCredits.id;
}

/** Charges a model call of `amount` µcr to the team's wallet (a hold, then its capture). */
export async function chargeCall(stack: Stack, teamId: string, amount: bigint, key: string) {
  const { authorizeHold } = expectNoErrors(
    await stack.request(HOLD, {
      token: TEST_ADMIN_KEY,
      variables: { w: teamId, a: amount.toString(), k: `${key}-hold` },
    }),
  );
  expectNoErrors(
    await stack.request(CAPTURE, {
      token: TEST_ADMIN_KEY,
      variables: { h: authorizeHold.id, a: amount.toString(), k: `${key}-capture` },
    }),
  );
}

/** The ledger's grants for these payments, as the organization admin reads them. */
export async function grantsFor(stack: Stack, paymentIds: string[]) {
  const { grantsForPayments } = expectNoErrors(
    await stack.request(GRANTS_FOR_PAYMENTS, {
      token: TEST_ADMIN_KEY,
      variables: { ids: paymentIds },
    }),
  );
  return grantsForPayments;
}

/** GET of a statement's CSV through the gateway, with `token` as the bearer (none: no header). */
export function fetchStatementCsv(stack: Stack, path: string, token?: string) {
  return fetch(`${stack.gatewayBase}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

/** The current month, YYYY-MM (UTC), and the one before it. */
export function currentAndPreviousMonth(now = new Date()): [string, string] {
  const month = (d: Date) => d.toISOString().slice(0, 7);
  const previous = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return [month(now), month(previous)];
}
