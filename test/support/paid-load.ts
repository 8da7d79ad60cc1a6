/**
 * Paid load through a store outage, and what must hold of its money afterwards: several clients
 * calling `generate` in a loop, each outcome recorded; then every failure typed, the charge
 * outbox empty, every hold resolved, the ledger's invariants and the money probe agreeing.
 */
import { createLedger } from '../../subgraphs/wallet/service/ledger/ledger.js';
import { eventually } from './eventually.js';
import { GENERATE, type CallingTeam } from './inference-setup.js';
import { expectLedgerInvariants } from './ledger-invariants.js';
import type { watchMoney } from './money-probe.js';
import type { Stack } from './stack.js';

/** What a message must never show a client: addresses, URLs, the driver's or server's words. */
export const INTERNALS =
  /127\.0\.0\.1|http:\/\/|terminat|ECONN|57P0|database system|not queryable|Connection |pg_|SQL|recovery|shutdown|starting up/i;

export interface CallOutcome {
  at: number;
  ok: boolean;
  /** The gateway's request id (holds carry it in their metadata). */
  requestId: string | null;
  code?: string;
  message?: string;
  /** An answered call: what it reported it cost, and what the ledger had done about it. */
  cost?: bigint;
  chargeStatus?: string;
}

export interface PaidLoad {
  outcomes: CallOutcome[];
  /** How many calls ended at or after `at` that succeeded (`ok`) or failed. */
  since(at: number, ok: boolean): number;
  /** Lets every client finish its current call, then resolves. */
  stop(): Promise<void>;
}

/** `clients` loops of `generate` on `local/echo-chat` for `team`, until `stop()`. */
export function startPaidLoad(team: CallingTeam, clients: number): PaidLoad {
  const outcomes: CallOutcome[] = [];
  let running = true;
  const client = async (n: number) => {
    for (let i = 0; running; i += 1) {
      const response = await team.call(GENERATE, {
        i: {
          model: 'local/echo-chat',
          messages: [{ role: 'USER', content: `client ${n} call ${i}` }],
          maxTokens: 16,
        },
      });
      const error = response.body.errors?.[0];
      const requestId = response.headers.get('x-request-id');
      outcomes.push(
        error
          ? {
              at: Date.now(),
              ok: false,
              requestId,
              code: String(error.extensions?.code),
              message: error.message,
            }
          : {
              at: Date.now(),
              ok: true,
              requestId,
              cost: BigInt(response.body.data!.generate.cost),
              chargeStatus: response.body.data!.generate.chargeStatus,
            },
      );
    }
  };
  const loops = Array.from({ length: clients }, (_, n) => client(n));
  return {
    outcomes,
    since: (at, ok) => outcomes.filter((o) => o.at >= at && o.ok === ok).length,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Every failed call answered `SERVICE_UNAVAILABLE`, its message free of internals. */
export function expectTypedFailures(outcomes: CallOutcome[]): void {
  const failures = outcomes.filter((o) => !o.ok);
  const otherCodes = [...new Set(failures.map((f) => f.code))].filter(
    (code) => code !== 'SERVICE_UNAVAILABLE',
  );
  expect(otherCodes).toEqual([]);
  expect(failures.filter((f) => INTERNALS.test(f.message ?? ''))).toEqual([]);
}

/**
 * Once the store is back: the charge outbox empties, every hold resolves (the ledger's clock
 * moved past their expiry), the ledger's invariants hold, and money agrees: what answered calls
 * reported is what the ledger took and the metric counted; beyond it, only the captures of
 * refused calls that committed with their answer lost (the ledger names their request).
 * Returns figures for the run's summary line.
 */
/** Waits until the inference service's charge outbox has sent every capture it kept. */
export async function waitForChargeOutboxEmpty(stack: Stack, what: string): Promise<void> {
  await eventually(
    what,
    async () => {
      const { rows } = await stack.dbs.inference.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM charge_outbox',
      );
      return rows[0]!.n === 0 ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );
}

/**
 * Moves the ledger's clock a day ahead (every open hold is past its expiry, so the sweeper
 * releases it) until `done` answers, then puts the clock back.
 */
export async function pastHoldExpiry(
  stack: Stack,
  what: string,
  done: () => Promise<true | undefined>,
): Promise<void> {
  await stack.dbs.wallet.query('INSERT INTO clock_offset (seconds) VALUES (86400)');
  try {
    await eventually(what, done, { timeoutMs: 30_000, intervalMs: 100 });
  } finally {
    await stack.dbs.wallet.query('DELETE FROM clock_offset');
  }
}

export async function expectMoneyWhole(
  stack: Stack,
  team: CallingTeam,
  money: Awaited<ReturnType<typeof watchMoney>>,
  outcomes: CallOutcome[],
) {
  // Captures the outage left unconfirmed wait in the charge outbox, resent 1, 2, 4, 8 s apart:
  // once the database is back, the outbox empties.
  const unconfirmedHeld = (await team.balance()).held;
  await waitForChargeOutboxEmpty(stack, 'the charge outbox empty after the outage');
  // A call refused because neither the wallet nor the outbox could take its capture left its
  // hold to expire (decision 63): past its expiry by the ledger's clock, the sweeper releases
  // it, and then no hold stays open.
  await pastHoldExpiry(stack, 'every hold resolved after the outage', async () =>
    (await team.balance()).held === '0' ? true : undefined,
  );
  await expectLedgerInvariants(stack.dbs.wallet);
  const answered = outcomes.filter((o) => o.ok);
  expect(answered.filter((o) => o.chargeStatus === 'WAIVED').length).toBe(0);
  const refused = new Set(outcomes.filter((o) => !o.ok).map((f) => f.requestId));
  const captured = await createLedger(stack.dbs.wallet).reads.holds(
    team.teamId,
    'CAPTURED',
    outcomes.length,
  );
  // A lease's SPEND names its call's request in its key (spend:<requestId>:<uuid>); what it
  // charged is its amount plus what it took beyond the hold.
  const { rows: spends } = await stack.dbs.wallet.query<{ request_id: string; charged: string }>(
    `SELECT split_part(idempotency_key, ':', 2) AS request_id,
            (amount + coalesce((metadata->>'excess')::bigint, 0))::text AS charged
     FROM transfers WHERE kind = 'SPEND' AND wallet_id = $1`,
    [team.teamId],
  );
  const spentUnanswered = spends
    .filter((s) => refused.has(s.request_id))
    .reduce((sum, s) => sum + BigInt(s.charged), 0n);
  const chargedUnanswered =
    captured
      .filter((h) => refused.has(h.metadata.requestId ?? null))
      .reduce((sum, h) => sum + (h.capturedAmount ?? 0n), 0n) + spentUnanswered;
  await money.expectAgrees(
    answered.reduce((sum, o) => sum + (o.cost ?? 0n), 0n),
    chargedUnanswered,
  );
  return { unconfirmedHeld, spentUnanswered, chargedUnanswered };
}
