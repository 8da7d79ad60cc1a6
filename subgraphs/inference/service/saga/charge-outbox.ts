import type { Registry } from 'prom-client';
import type { Db } from '../../../../lib/db/index.js';
import type { Logger } from '../../../../lib/logging.js';
import type { WalletClient } from '../../clients/wallet-client.js';
import {
  createChargeOutboxRows,
  type OutboxRow,
  type PendingCharge,
} from '../../store/charge-outbox-rows.js';
import { OUTBOX_TIMING, type OutboxTiming } from '../timing.js';
import { createChargeOutboxMetrics } from './charge-outbox-metrics.js';
import { sendCharges, type SendOutcome } from './charge-sends.js';

export type { PendingCharge } from '../../store/charge-outbox-rows.js';

/** Rows one pass claims and sends (spendFromHolds takes at most 256 in one call). */
const BATCH = 64;

/** How long the row waits after its `attempts`-th send failed: doubling, up to the longest. */
export const retryDelayMs = (attempts: number, timing: OutboxTiming) =>
  Math.min(timing.maxRetryMs, timing.firstRetryMs * 2 ** Math.max(0, attempts - 1));

export interface ChargeOutboxOptions {
  /** The inference service's own database (schema `inference`, store/migrations.ts). */
  db: Db;
  wallet: WalletClient;
  logger: Logger;
  /** Where the outbox's series go (the service's registry). */
  registry: Registry;
  /** Told about every charge the wallet confirmed from the outbox (the charged-µcr metric). */
  onCharged(charge: PendingCharge, amount: bigint): void;
  /** @default OUTBOX_TIMING */
  timing?: Partial<OutboxTiming>;
}

/**
 * The charge outbox: served calls' charges the wallet has not confirmed, kept in the service's
 * database until it does. `record` returns once the charge is committed, so a charge recorded
 * before its answer leaves survives any crash. The retrier (`start`) claims due rows, sends each
 * as it was first asked (the wallet applies its key once), deletes what the wallet confirmed,
 * waits longer after each outage (forever), and keeps what the wallet refused for good, marked
 * failed, for an operator.
 */
// Long only as a factory: it wires or returns short methods, each read on its own.
export function createChargeOutbox(options: ChargeOutboxOptions) {
  const timing = { ...OUTBOX_TIMING, ...options.timing };
  const { wallet, logger } = options;
  const rows = createChargeOutboxRows(options.db);
  const metrics = createChargeOutboxMetrics(options.registry, () => rows.countPending());

  const settle = async (row: OutboxRow, outcome: SendOutcome) => {
    const facts = {
      chargeId: row.id,
      kind: row.kind,
      holdId: row.holdId,
      cost: row.amount.toString(),
      attempts: row.attempts,
      requestId: row.requestId,
    };
    if (outcome.status === 'CONFIRMED') {
      // Counted once: only the send whose delete took the row counts it.
      if (!(await rows.remove(row.id))) return;
      metrics.recovered.inc({ charged_by: outcome.by });
      options.onCharged(row, outcome.amount);
      const beyond = row.kind === 'CAPTURE' && outcome.by === 'SPEND';
      logger.warn(
        { ...facts, charged: outcome.amount.toString(), chargedBy: outcome.by },
        beyond
          ? 'charge confirmed late, beyond its hold (the hold was gone before the capture)'
          : 'charge confirmed late',
      );
    } else if (outcome.status === 'RETRY') {
      const delayMs = retryDelayMs(row.attempts, timing);
      await rows.retryLater(row.id, delayMs, messageOf(outcome.error));
      logger.warn(
        { ...facts, err: outcome.error, retryInMs: delayMs },
        'charge not confirmed by the wallet yet; the outbox sends it again later',
      );
    } else {
      const code = String(outcome.error.extensions.code ?? 'UNKNOWN');
      await rows.markFailed(row.id, `${code}: ${outcome.error.message}`);
      metrics.failed.inc({ code });
      logger.error(
        { ...facts, err: outcome.error, code },
        'charge refused by the wallet: kept in the outbox as failed, not sent again',
      );
    }
  };

  /** One pass: claims due rows, sends them, settles each; how many it claimed. */
  const drain = async (): Promise<number> => {
    const claimed = await rows.claimDue(BATCH, timing.claimMs);
    if (claimed.length === 0) return 0;
    const outcomes = await sendCharges(wallet, claimed);
    // A row whose outcome cannot be written keeps its claim, and is sent again once it lapses.
    await Promise.all(
      claimed.map((row, i) =>
        settle(row, outcomes[i]!).catch((error: unknown) =>
          logger.warn({ err: error, chargeId: row.id }, 'charge outcome not written; resent later'),
        ),
      ),
    );
    return claimed.length;
  };

  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const pass = async () => {
    let claimed = 0;
    try {
      claimed = await drain();
    } catch (error) {
      logger.warn({ err: error }, 'charge outbox pass failed; tried again shortly');
    }
    // A full batch may have more behind it: the next pass follows at once.
    if (!stopped) timer = setTimeout(tick, claimed === BATCH ? 0 : timing.pollMs);
  };
  const tick = () => {
    running = pass();
  };

  return {
    /** Makes `charge` durable: resolves once committed (a second record of it changes nothing). */
    record: (charge: PendingCharge) => rows.insert(charge, timing.firstRetryMs),
    drain,
    /** Starts the retrier (with the service). */
    start() {
      if (!stopped) return;
      stopped = false;
      tick();
    },
    /** Stops the retrier and waits for the pass under way (with the service, before the db). */
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export type ChargeOutbox = ReturnType<typeof createChargeOutbox>;
