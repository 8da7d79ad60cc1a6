/**
 * Auto-recharge through the gateway: its operations, a payment method saved through the setup
 * checkout (the emulator completes it), and charges made as inference makes them (a hold, then
 * its capture), many at once.
 */
import { randomUUID } from 'node:crypto';
import type { BillingStack } from './billing-stack.js';
import { eventually } from './eventually.js';
import { expectNoErrors } from './graphql-client.js';
import { TEST_ADMIN_KEY } from './stack.js';
import { typed } from './typed-document.js';

export interface AutoRechargeView {
  enabled: boolean;
  status: string;
  thresholdCredits: string;
  amountMinor: number;
  credits: string;
  hasPaymentMethod: boolean;
  consecutiveFailures: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  lastRechargeAt: string | null;
}

const VIEW_FIELDS = `enabled status thresholdCredits amountMinor credits hasPaymentMethod
  consecutiveFailures lastError nextAttemptAt lastRechargeAt`;

export const CREATE_SETUP = typed<
  { createAutoRechargeSetup: { id: string; url: string; purchase: null; testMode: boolean } },
  { teamId: string }
>(`mutation Setup($teamId: ID!) {
  createAutoRechargeSetup(teamId: $teamId) { id url purchase { id } testMode }
}`);

export const SET_AUTO_RECHARGE = typed<
  { setAutoRecharge: AutoRechargeView },
  { teamId: string; input: { enabled: boolean; thresholdCredits: string; amountMinor: number } }
>(`mutation Set($teamId: ID!, $input: AutoRechargeInput!) {
  setAutoRecharge(teamId: $teamId, input: $input) { ${VIEW_FIELDS} }
}`);

export const AUTO_RECHARGE = typed<
  { team: { autoRecharge: AutoRechargeView | null } | null },
  { id: string }
>(`query AutoRecharge($id: ID!) { team(id: $id) { autoRecharge { ${VIEW_FIELDS} } } }`);

export const TEAM_PURCHASES = typed<
  {
    team: {
      purchases: {
        edges: Array<{
          node: {
            id: string;
            kind: string;
            status: string;
            credits: string | null;
            paymentId: string | null;
          };
        }>;
      };
    };
  },
  { id: string }
>(`query Purchases($id: ID!) { team(id: $id) { purchases(first: 50) {
  edges { node { id kind status credits paymentId } } } } }`);

const HOLD = typed<{ authorizeHold: { id: string } }, { w: string; a: string; k: string }>(
  `mutation($w: ID!, $a: Micros!, $k: String!) {
  authorizeHold(walletId: $w, amount: $a, idempotencyKey: $k, expiresInSeconds: 60,
    metadata: { modelId: "local/echo-chat", priceVersion: 1, requestId: "recharge-test" }) { id } }`,
);
const CAPTURE = typed<{ captureHold: { status: string } }, { h: string; a: string; k: string }>(
  `mutation($h: ID!, $a: Micros!, $k: String!) {
  captureHold(holdId: $h, amount: $a, idempotencyKey: $k, usage: { inputTokens: 1, outputTokens: 1 }) {
    status } }`,
);

/** Reads the team's auto-recharge through the gateway. */
export async function readAutoRecharge(billing: BillingStack, teamId: string, token: string) {
  const data = expectNoErrors(
    await billing.stack.request(AUTO_RECHARGE, { token, variables: { id: teamId } }),
  );
  return data.team?.autoRecharge ?? null;
}

/** Waits until the team's auto-recharge satisfies `done`. */
export function autoRechargeWhen(
  billing: BillingStack,
  teamId: string,
  token: string,
  done: (view: AutoRechargeView) => boolean,
  what: string,
): Promise<AutoRechargeView> {
  return eventually(
    what,
    async () => {
      const view = await readAutoRecharge(billing, teamId, token);
      return view && done(view) ? view : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 50 },
  );
}

/** Saves a card for the team through the setup checkout, as its admin would. */
export async function savePaymentMethod(billing: BillingStack, teamId: string, token: string) {
  const { createAutoRechargeSetup: setup } = expectNoErrors(
    await billing.stack.request(CREATE_SETUP, { token, variables: { teamId } }),
  );
  billing.emulator.completeCheckout(setup.id);
  await autoRechargeWhen(billing, teamId, token, (v) => v.hasPaymentMethod, 'a method is saved');
  return setup;
}

/** The team's purchases, newest first. */
export async function teamPurchases(billing: BillingStack, teamId: string, token: string) {
  const data = expectNoErrors(
    await billing.stack.request(TEAM_PURCHASES, { token, variables: { id: teamId } }),
  );
  return data.team.purchases.edges.map((e) => e.node);
}

/** `count` calls charged at once, each a hold of `amount` µcr captured whole (as the org admin). */
export async function chargeConcurrently(
  billing: BillingStack,
  teamId: string,
  count: number,
  amount: bigint,
): Promise<void> {
  const admin = { token: TEST_ADMIN_KEY };
  await Promise.all(
    Array.from({ length: count }, async () => {
      const key = randomUUID();
      const { authorizeHold } = expectNoErrors(
        await billing.stack.request(HOLD, {
          ...admin,
          variables: { w: teamId, a: amount.toString(), k: `hold-${key}` },
        }),
      );
      expectNoErrors(
        await billing.stack.request(CAPTURE, {
          ...admin,
          variables: { h: authorizeHold.id, a: amount.toString(), k: `capture-${key}` },
        }),
      );
    }),
  );
}
