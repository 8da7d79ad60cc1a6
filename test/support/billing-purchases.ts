/**
 * What billing's refund and dispute tests do through the gateway: refund a purchase, read its
 * refunds, disputes and totals, read the wallet's balance, and spend credits as a call would.
 */
import { randomUUID } from 'node:crypto';
import { CREATE_CHECKOUT, type BillingStack } from './billing-stack.js';
import { eventually } from './eventually.js';
import { expectNoErrors } from './graphql-client.js';
import { TEST_ADMIN_KEY, type Stack } from './stack.js';
import type { TestStripeEmulator } from './stripe-emulator.js';
import { typed } from './typed-document.js';

export interface RefundView {
  id: string;
  purchaseId: string;
  amountMinor: number;
  credits: string;
  debitedCredits: string | null;
  owedCredits: string | null;
  status: string;
  source: string;
  reason: string | null;
}

export interface DisputeView {
  id: string;
  purchaseId: string;
  amountMinor: number;
  credits: string;
  heldCredits: string;
  status: string;
  closedAt: string | null;
}

export interface PurchaseMoney {
  id: string;
  status: string;
  refundedAmountMinor: number;
  clawedBackCredits: string;
  owedCredits: string;
  refunds: RefundView[];
  disputes: DisputeView[];
}

const REFUND_FIELDS =
  'id purchaseId amountMinor credits debitedCredits owedCredits status source reason';

export const REFUND_PURCHASE = typed<
  { refundPurchase: RefundView },
  { purchaseId: string; amountMinor?: number | null; idempotencyKey: string; reason?: string }
>(`mutation Refund($purchaseId: ID!, $amountMinor: Int, $idempotencyKey: String!, $reason: String) {
  refundPurchase(purchaseId: $purchaseId, amountMinor: $amountMinor,
    idempotencyKey: $idempotencyKey, reason: $reason) { ${REFUND_FIELDS} }
}`);

export const PURCHASE_MONEY = typed<{ purchase: PurchaseMoney | null }, { id: string }>(
  `query PurchaseMoney($id: ID!) { purchase(id: $id) {
    id status refundedAmountMinor clawedBackCredits owedCredits
    refunds { ${REFUND_FIELDS} }
    disputes { id purchaseId amountMinor credits heldCredits status closedAt }
  } }`,
);

export interface BalanceView {
  available: string;
  held: string;
  posted: string;
  owed: string;
}

const WALLET_MONEY = typed<
  {
    team: {
      wallet: {
        balance: BalanceView;
        transactions: { edges: Array<{ node: { kind: string; amount: string } }> };
      };
    };
  },
  { id: string }
>(`query WalletMoney($id: ID!) { team(id: $id) { wallet {
  balance { available held posted owed }
  transactions(first: 50) { edges { node { kind amount } } }
} } }`);

const HOLD = typed<
  { authorizeHold: { id: string } },
  { w: string; a: string; k: string }
>(`mutation Spend($w: ID!, $a: Micros!, $k: String!) {
  authorizeHold(walletId: $w, amount: $a, idempotencyKey: $k, expiresInSeconds: 60,
    metadata: { modelId: "local/echo-chat", priceVersion: 1 }) { id } }`);

const CAPTURE = typed<
  { captureHold: { status: string } },
  { h: string; a: string; k: string }
>(`mutation Charge($h: ID!, $a: Micros!, $k: String!) {
  captureHold(holdId: $h, amount: $a, idempotencyKey: $k) { status } }`);

/** An organization admin's refund (the bootstrap admin key). */
export function refundAsAdmin(
  billing: BillingStack,
  variables: { purchaseId: string; amountMinor?: number | null; idempotencyKey?: string },
  token = TEST_ADMIN_KEY,
) {
  return billing.stack.request(REFUND_PURCHASE, {
    token,
    variables: { idempotencyKey: `refund-${randomUUID()}`, ...variables },
  });
}

/** A purchase's money as a reader of its team sees it. */
export async function purchaseMoney(
  billing: BillingStack,
  purchaseId: string,
  token: string,
): Promise<PurchaseMoney> {
  const { purchase } = expectNoErrors(
    await billing.stack.request(PURCHASE_MONEY, { token, variables: { id: purchaseId } }),
  );
  if (!purchase) throw new Error(`purchase ${purchaseId} not found`);
  return purchase;
}

/** Waits until the purchase's money satisfies `done` (events are handled asynchronously). */
export function purchaseMoneyWhen(
  billing: BillingStack,
  purchaseId: string,
  token: string,
  done: (purchase: PurchaseMoney) => boolean,
  what: string,
): Promise<PurchaseMoney> {
  return eventually(
    what,
    async () => {
      const purchase = await purchaseMoney(billing, purchaseId, token);
      return done(purchase) ? purchase : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 50 },
  );
}

/** The team's balance and the kinds and amounts of its ledger entries, newest first. */
export async function walletMoney(billing: BillingStack, teamId: string, token: string) {
  const { wallet } = expectNoErrors(
    await billing.stack.request(WALLET_MONEY, { token, variables: { id: teamId } }),
  ).team;
  return {
    balance: wallet.balance,
    entries: wallet.transactions.edges.map((e) => e.node),
  };
}

/** Spends `amount` µcr of the team's credits as a model call would (a hold, then its capture). */
export async function spendCredits(billing: BillingStack, teamId: string, amount: bigint) {
  const key = `spend-${randomUUID()}`;
  const admin = { token: TEST_ADMIN_KEY };
  const { authorizeHold } = expectNoErrors(
    await billing.stack.request(HOLD, {
      ...admin,
      variables: { w: teamId, a: `${amount}`, k: key },
    }),
  );
  expectNoErrors(
    await billing.stack.request(CAPTURE, {
      ...admin,
      variables: { h: authorizeHold.id, a: `${amount}`, k: `${key}-capture` },
    }),
  );
}

const PAYMENT_EVENTS = typed<
  {
    paymentEvents: {
      edges: Array<{ node: { id: string; type: string; outcome: string; detail: string | null } }>;
    };
  },
  Record<string, never>
>(`query PaymentEvents { paymentEvents(first: 100) {
  edges { node { id type outcome detail } }
} }`);

/** The provider events billing recorded (newest 100), as an organization admin reads them. */
export async function paymentEvents(billing: BillingStack) {
  const { paymentEvents } = expectNoErrors(
    await billing.stack.request(PAYMENT_EVENTS, { token: TEST_ADMIN_KEY, variables: {} }),
  );
  return paymentEvents.edges.map((e) => e.node);
}

/** The events left FAILED once every delivery settled: none, when every handler did its part. */
export async function failedEventsAfterDelivery(billing: BillingStack) {
  await billing.emulator.whenDelivered();
  return (await paymentEvents(billing)).filter((e) => e.outcome === 'FAILED');
}

const AUDIT = typed<
  {
    auditLog: {
      edges: Array<{
        node: {
          action: string;
          actor: string;
          outcome: string;
          targetType: string | null;
          targetId: string | null;
          details: string;
        };
      }>;
    };
  },
  { team: string }
>(`query BillingAudit($team: ID!) { auditLog(teamId: $team, first: 100) {
  edges { node { action actor outcome targetType targetId details } }
} }`);

/** The team's audit events (newest 100), as an organization admin reads them. */
export async function auditOf(billing: BillingStack, teamId: string) {
  const { auditLog } = expectNoErrors(
    await billing.stack.request(AUDIT, { token: TEST_ADMIN_KEY, variables: { team: teamId } }),
  );
  return auditLog.edges.map((e) => e.node);
}

const SUSPENDED = typed<{ team: { wallet: { suspended: boolean } } }, { id: string }>(
  `query Suspended($id: ID!) { team(id: $id) { wallet { suspended } } }`,
);

/** Whether the team's wallet is suspended. */
export async function walletSuspended(billing: BillingStack, teamId: string, token: string) {
  return expectNoErrors(
    await billing.stack.request(SUSPENDED, { token, variables: { id: teamId } }),
  ).team.wallet.suspended;
}

/**
 * A PAID purchase of `amountMinor` for the team on any stack whose billing talks to `emulator`:
 * bought as the organization admin through the gateway, paid at the emulator, whose webhooks are
 * pointed at the gateway for it. Answers the purchase's id once it is PAID.
 */
export async function paidPurchase(
  stack: Stack,
  emulator: TestStripeEmulator,
  teamId: string,
  amountMinor = 1000,
): Promise<string> {
  emulator.setWebhookUrl(`${stack.gatewayBase}/webhooks/stripe`);
  const { createCheckout } = expectNoErrors(
    await stack.request(CREATE_CHECKOUT, {
      token: TEST_ADMIN_KEY,
      variables: { input: { teamId, amountMinor, idempotencyKey: `paid-${randomUUID()}` } },
    }),
  );
  emulator.completeCheckout(createCheckout.id, { outcome: 'paid' });
  const purchaseId = createCheckout.purchase.id;
  await eventually(
    `purchase ${purchaseId} is PAID`,
    async () => {
      const { purchase } = expectNoErrors(
        await stack.request(PURCHASE_MONEY, {
          token: TEST_ADMIN_KEY,
          variables: { id: purchaseId },
        }),
      );
      return purchase?.status === 'PAID' ? true : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 50 },
  );
  return purchaseId;
}
