import fc from 'fast-check';

/*
 * Model-based test: random sequences of ledger operations over two or three wallets, each checked
 * against a plain in-memory model after every step (outcome, balances, hold statuses, invariants).
 * Expiries are 30 s past a whole minute and the clock only jumps by whole minutes, so the real time
 * a run takes (well under 30 s) never decides whether a hold has expired.
 */
const EXPIRIES = [30, 90, 150, 210];
export const actor = 'test:model';
export const INVARIANTS = {
  conserved: true,
  noNegativeAvailable: true,
  totalsMatchTransfers: true,
  openHoldsMatchPending: true,
  resolvedAtMostOnce: true,
  fundingMatchesTransfers: true,
};

export interface WalletModel {
  id: string;
  name: string;
  posted: bigint;
  held: bigint;
  /** Captured minus refunded, this month. */
  spent: bigint;
}
type HoldState = 'OPEN' | 'CAPTURED' | 'VOIDED' | 'EXPIRED';
interface HoldModel {
  id: string;
  name: string;
  wallet: WalletModel;
  amount: bigint;
  /** The clock offset (seconds) from which the hold is expired. */
  expiry: number;
  state: HoldState;
  captured?: bigint;
}
interface CaptureModel {
  id: string;
  name: string;
  wallet: WalletModel;
  amount: bigint;
  refunded: bigint;
}
export interface Model {
  offset: number;
  wallets: WalletModel[];
  holds: HoldModel[];
  captures: CaptureModel[];
  /** Applied idempotency keys by wallet/kind/key: the request they came with, what they made. */
  keys: Map<string, { hash: string; id: string }>;
}

export type Call =
  | { t: 'grant'; wallet: WalletModel; amount: bigint; key: string }
  | { t: 'hold'; wallet: WalletModel; amount: bigint; expiry: number; key: string }
  | { t: 'capture'; hold: HoldModel; amount: bigint; key: string }
  | { t: 'refund'; capture: CaptureModel; amount: bigint; key: string }
  | { t: 'void'; hold: HoldModel }
  | { t: 'advance'; seconds: number; sweep: boolean };
export type KeyedCall = Extract<Call, { key: string }>;

const [key, wallet, pick] = [fc.constantFrom('k1', 'k2', 'k3'), fc.nat(2), fc.nat(50)];
const op = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary });
const [grantAmount, holdAmount] = [fc.bigInt(1n, 1000n), fc.bigInt(1n, 300n)];
const [expiry, refundTenths] = [fc.constantFrom(...EXPIRIES), fc.integer({ min: 1, max: 12 })];
export const opArb = fc.oneof(
  op(5, fc.record({ t: fc.constant('grant'), wallet, amount: grantAmount, key })),
  op(4, fc.record({ t: fc.constant('hold'), wallet, amount: holdAmount, expiry, key })),
  // Tenths of the hold: 0 captures nothing, 11 and 12 ask for more than was held.
  op(5, fc.record({ t: fc.constant('capture'), pick, tenths: fc.nat(12), key })),
  op(1, fc.record({ t: fc.constant('void'), pick })),
  // Swept at once or not: unswept, a capture or void meets a hold expired but still open.
  op(2, fc.record({ t: fc.constant('advance'), minutes: fc.nat(4), sweep: fc.boolean() })),
  // Tenths of the capture (at least 1), refunded again and again until it runs out.
  op(3, fc.record({ t: fc.constant('refund'), pick, tenths: refundTenths, key })),
  // An earlier keyed call again, as it was or with its amount changed.
  op(2, fc.record({ t: fc.constant('repeat'), pick, bump: fc.constantFrom(0n, 1n) })),
);
export type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

const tenthsOf = (amount: bigint, tenths: number) => (amount * BigInt(tenths) + 9n) / 10n;

/** Turns a generated op into a call on the model's entities; null when there is nothing to act on. */
export function resolve(m: Model, op: Op, earlier: KeyedCall[]): Call | null {
  // Counted from the newest, so small (and shrunk) picks act on what was just made.
  const nth = <T>(list: T[], i: number) => list[list.length - 1 - (i % Math.max(list.length, 1))];
  const hold = 'pick' in op ? nth(m.holds, op.pick) : undefined;
  const capture = 'pick' in op ? nth(m.captures, op.pick) : undefined;
  switch (op.t) {
    case 'grant':
    case 'hold':
      return { ...op, wallet: m.wallets[op.wallet % m.wallets.length] as WalletModel };
    case 'capture':
      return hold ? { ...op, hold, amount: tenthsOf(hold.amount, op.tenths) } : null;
    case 'refund':
      return capture ? { ...op, capture, amount: tenthsOf(capture.amount, op.tenths) || 1n } : null;
    case 'void':
      return hold ? { t: 'void', hold } : null;
    case 'advance':
      return { t: 'advance', seconds: op.minutes * 60, sweep: op.sweep };
    case 'repeat': {
      const call = nth(earlier, op.pick);
      return call ? { ...call, amount: call.amount + op.bump } : null;
    }
  }
}

/** The idempotency scope (wallet, kind, key) of a call and the request it stands for. */
function identity(c: KeyedCall): { scope: string; hash: string } {
  const [walletId, kind, hash] =
    c.t === 'grant'
      ? [c.wallet.id, 'GRANT', `${c.amount}`]
      : c.t === 'hold'
        ? [c.wallet.id, 'HOLD', `${c.amount}/${c.expiry}`]
        : c.t === 'capture'
          ? [c.hold.wallet.id, 'CAPTURE', `${c.hold.id}/${c.amount}`]
          : [c.capture.wallet.id, 'REFUND', `${c.capture.id}/${c.amount}`];
  return { scope: `${walletId}/${kind}/${c.key}`, hash };
}

export const expired = (h: HoldModel, offset: number) =>
  h.state === 'EXPIRED' || (h.state === 'OPEN' && offset >= h.expiry);

/** What the ledger must answer; `replayOf` is the id a replayed key must return again. */
export function predict(m: Model, c: Call): { outcome: string; replayOf?: string } {
  if (c.t === 'void') {
    // A hold past its expiry but not swept yet is still open: voiding releases it all the same.
    const voidable = c.hold.state === 'OPEN' || c.hold.state === 'VOIDED';
    return { outcome: voidable ? 'OK' : 'HOLD_ALREADY_RESOLVED' };
  }
  if (c.t === 'advance') {
    const due = m.holds.filter((h) => h.state === 'OPEN' && expired(h, m.offset + c.seconds));
    return { outcome: c.sweep ? `SWEPT ${due.length}` : 'OK' };
  }
  const { scope, hash } = identity(c);
  const applied = m.keys.get(scope);
  if (applied) {
    if (applied.hash !== hash) return { outcome: 'IDEMPOTENCY_CONFLICT' };
    return { outcome: 'OK', replayOf: applied.id };
  }
  const refuse = (outcome: string | false) => ({ outcome: outcome || 'OK' });
  switch (c.t) {
    case 'grant':
      return refuse(false);
    case 'hold':
      return refuse(c.wallet.posted - c.wallet.held < c.amount && 'INSUFFICIENT_FUNDS');
    case 'capture':
      // The ledger compares the amount with the hold before it looks at the hold's state.
      if (c.amount > c.hold.amount) return refuse('CAPTURE_EXCEEDS_HOLD');
      if (expired(c.hold, m.offset)) return refuse('HOLD_EXPIRED');
      return refuse(c.hold.state !== 'OPEN' && 'HOLD_ALREADY_RESOLVED');
    case 'refund':
      return refuse(c.amount > c.capture.amount - c.capture.refunded && 'REFUND_EXCEEDS_CAPTURE');
  }
}

/** Applies what the ledger did (not for replays or refusals); `id` is what it made. */
export function apply(m: Model, c: Call, id: string): void {
  const release = (h: HoldModel, state: HoldState) => {
    h.state = state;
    h.wallet.held -= h.amount;
  };
  if (c.t === 'grant') c.wallet.posted += c.amount;
  if (c.t === 'hold') {
    const { wallet, amount } = c;
    wallet.held += amount;
    const expiry = m.offset + c.expiry;
    m.holds.push({ id, name: `h${m.holds.length}`, wallet, amount, expiry, state: 'OPEN' });
  }
  if (c.t === 'capture') {
    const { wallet } = c.hold;
    release(c.hold, 'CAPTURED');
    c.hold.captured = c.amount;
    wallet.posted -= c.amount;
    wallet.spent += c.amount;
    m.captures.push({ id, name: `c${m.captures.length}`, wallet, amount: c.amount, refunded: 0n });
  }
  if (c.t === 'refund') {
    c.capture.refunded += c.amount;
    c.capture.wallet.posted += c.amount;
    c.capture.wallet.spent -= c.amount;
  }
  if (c.t === 'void' && c.hold.state === 'OPEN') release(c.hold, 'VOIDED');
  if (c.t === 'advance') {
    m.offset += c.seconds;
    for (const h of m.holds)
      if (c.sweep && h.state === 'OPEN' && expired(h, m.offset)) release(h, 'EXPIRED');
  }
  if ('key' in c) m.keys.set(identity(c).scope, { hash: identity(c).hash, id });
}

export const label = (c: Call) => {
  if (c.t === 'grant' || c.t === 'hold') return `${c.t} ${c.wallet.name} ${c.amount} ${c.key}`;
  if (c.t === 'capture') return `capture ${c.hold.name} (${c.hold.amount}) ${c.amount} ${c.key}`;
  if (c.t === 'refund')
    return `refund ${c.capture.name} (${c.capture.amount}) ${c.amount} ${c.key}`;
  return c.t === 'void' ? `void ${c.hold.name}` : `advance ${c.seconds}s sweep ${c.sweep}`;
};
export const monthAt = (offset: number) =>
  new Date(Date.now() + offset * 1000).toISOString().slice(0, 7);
