import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { Logger } from '../../../../lib/logging.js';
import type { WalletClient } from '../../clients/wallet-client.js';
import { withWalletRetries } from './wallet-retries.js';

/** How credit leases are sized and kept (InferenceSettings.creditLeases). */
export interface LeaseSettings {
  /** A lease asks for this many times the call's worst case; 0 turns leases off. @default 16 */
  calls: number;
  /** How long a lease takes new calls, past the calls' own hold lifetime. @default 60 */
  serveSeconds: number;
  /** A lease no call has used for this long is returned to the wallet. @default 2_000 */
  idleMs: number;
}

/** One call's share of a lease: `amount` reserved in memory until it is settled or released. */
export interface LeaseSlice {
  /** The wallet hold the lease is; the call's charge is a spend against it. */
  readonly holdId: string;
  readonly amount: bigint;
  /** The call was charged `spent` (confirmed or on its way): the rest of the slice is free again. */
  settle(spent: bigint): void;
  /** The call charged nothing: the whole slice is free again. */
  release(): void;
  /**
   * A charge against the lease waits in the charge outbox: the lease is never voided by this
   * replica (it expires), so the outbox's spend finds it open instead of charging beyond it.
   */
  pin(): void;
}

interface Lease {
  holdId: string;
  granted: bigint;
  /** Held by slices not settled yet. */
  reserved: bigint;
  /** Charged by settled slices. */
  spent: bigint;
  slices: number;
  /** A charge against it is unconfirmed: it is left to expire, never voided. */
  pinned: boolean;
  /** When the ledger expires the hold at the latest, by this replica's clock (ms). */
  expiresAt: number;
  lastUsed: number;
}

interface TeamLeases {
  leases: Lease[];
  /** The lease being taken for this team (for calls of `amount`), which concurrent calls wait for. */
  taking: { done: Promise<void>; amount: bigint } | null;
}

const free = (lease: Lease) => lease.granted - lease.reserved - lease.spent;

/**
 * Credit leases (decision 62): per team, this replica holds a ledger hold of many calls' worth
 * and authorizes calls against it in memory, so a call takes no wallet round trip before its
 * provider call; its exact cost is charged against the hold afterwards (one durable spend). The
 * wallet never lends what it has not got: a lease is a hold like any other, granted between the
 * call's own worst case (`minimumAmount`) and `calls` times it, so a nearly empty wallet lends
 * exactly what is left and the calls beyond it are refused as before. A crash leaves only a hold
 * that expires; a lease idle for `idleMs`, or too close to its expiry to outlive a new call, is
 * returned (voided) once its calls have settled.
 */
export function createCreditLeases(options: {
  wallet: WalletClient;
  settings: LeaseSettings;
  logger: Logger;
  now?: () => number;
}) {
  const { wallet, settings, logger } = options;
  const now = options.now ?? Date.now;
  const teams = new Map<string, TeamLeases>();
  /** Lease returns under way, the timer's included: close() waits for them all. */
  const returning = new Set<Promise<unknown>>();
  const sweep = setInterval(() => void returnUnused(), Math.max(settings.idleMs / 2, 50));
  sweep.unref();

  const teamOf = (teamId: string) => {
    let team = teams.get(teamId);
    if (!team) teams.set(teamId, (team = { leases: [], taking: null }));
    return team;
  };

  /** A lease of `team` with room for `amount` that lives `lifeMs` more, or undefined. */
  const roomy = (team: TeamLeases, amount: bigint, lifeMs: number) =>
    team.leases.find((l) => free(l) >= amount && l.expiresAt - now() >= lifeMs);

  const sliceOf = (lease: Lease, amount: bigint): LeaseSlice => {
    lease.reserved += amount;
    lease.slices += 1;
    lease.lastUsed = now();
    let open = true;
    const close = (spent: bigint) => {
      if (!open) return;
      open = false;
      lease.reserved -= amount;
      lease.spent += spent;
      lease.slices -= 1;
      lease.lastUsed = now();
    };
    return {
      holdId: lease.holdId,
      amount,
      settle: close,
      release: () => close(0n),
      pin: () => void (lease.pinned = true),
    };
  };

  async function takeLease(
    teamId: string,
    team: TeamLeases,
    input: { amount: bigint; holdTtlSeconds: number; requestId: string },
  ) {
    const ttlSeconds = input.holdTtlSeconds + settings.serveSeconds;
    // By this replica's clock, counted from before the request: never later than the ledger's.
    const expiresAt = now() + ttlSeconds * 1000;
    const key = `lease:${randomUUID()}`;
    const hold = await withWalletRetries(() =>
      wallet.authorize({
        teamId,
        amount: input.amount * BigInt(settings.calls),
        minimumAmount: input.amount,
        idempotencyKey: key,
        ttlSeconds,
        metadata: { requestId: input.requestId, runId: key, note: 'credit lease' },
        requestId: input.requestId,
      }),
    );
    team.leases.push({
      holdId: hold.id,
      granted: BigInt(hold.amount),
      reserved: 0n,
      spent: 0n,
      slices: 0,
      pinned: false,
      expiresAt,
      lastUsed: now(),
    });
  }

  /** Voids the leases no call holds a slice of that are idle or too old to take new calls. */
  async function returnUnused(all = false) {
    const voids: Promise<unknown>[] = [];
    for (const [teamId, team] of teams) {
      const keep: Lease[] = [];
      for (const lease of team.leases) {
        const idle = now() - lease.lastUsed >= settings.idleMs;
        const old = lease.expiresAt - now() < settings.serveSeconds * 1000;
        if (lease.pinned && (all || old)) continue;
        if (lease.slices === 0 && !lease.pinned && (all || idle || old || free(lease) <= 0n)) {
          const returned = withWalletRetries(() =>
            wallet.void(lease.holdId, `lease-return:${lease.holdId}`),
          )
            .catch((error: unknown) =>
              logger.warn({ err: error, holdId: lease.holdId }, 'lease not returned; it expires'),
            )
            .finally(() => returning.delete(returned));
          returning.add(returned);
          voids.push(returned);
        } else keep.push(lease);
      }
      if (keep.length === 0 && !team.taking) teams.delete(teamId);
      else team.leases = keep;
    }
    await Promise.all(voids);
  }

  return {
    /**
     * Reserves `amount` (a call's worst case) for a call whose hold must live `holdTtlSeconds`,
     * from a lease of the team's, taking a new lease when none has room. Refused as the wallet
     * refuses a hold (INSUFFICIENT_FUNDS, BUDGET_EXCEEDED, ...) when the team has not the room.
     */
    async reserve(
      teamId: string,
      input: { amount: bigint; holdTtlSeconds: number; requestId: string },
    ): Promise<LeaseSlice> {
      const team = teamOf(teamId);
      const lifeMs = input.holdTtlSeconds * 1000;
      for (;;) {
        const lease = roomy(team, input.amount, lifeMs);
        if (lease) return sliceOf(lease, input.amount);
        const waited = team.taking;
        if (waited) {
          const refusal = await waited.done.then(
            () => null,
            (error: unknown) => error,
          );
          // The wallet refused a lease for calls no bigger than this one: it refuses this one too,
          // unless a slice settled meanwhile and made room.
          if (refusal instanceof GraphQLError && input.amount >= waited.amount) {
            const settled = roomy(team, input.amount, lifeMs);
            if (settled) return sliceOf(settled, input.amount);
            throw refusal;
          }
          continue;
        }
        const done = takeLease(teamId, team, input);
        team.taking = { done, amount: input.amount };
        try {
          await done;
        } finally {
          team.taking = null;
        }
      }
    },

    /** How many leases this replica holds. */
    get held() {
      let count = 0;
      for (const team of teams.values()) count += team.leases.length;
      return count;
    },

    /**
     * Stops returning leases on a timer and returns every lease no call is using, waiting too for
     * returns the timer had begun (a lease it took out of the list is not seen again here).
     */
    async close() {
      clearInterval(sweep);
      await returnUnused(true);
      await Promise.all(returning);
    },
  };
}

export type CreditLeases = ReturnType<typeof createCreditLeases>;
