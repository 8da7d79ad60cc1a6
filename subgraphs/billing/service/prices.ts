import { badUserInput } from '../../../lib/errors.js';

/** A ready-made purchase, from configuration. */
export interface CreditPack {
  id: string;
  name: string;
  amountMinor: number;
}

/** What credits cost, from configuration (BILLING_* variables). */
export interface PriceSettings {
  /** ISO 4217, lower case. */
  currency: string;
  /** Credits one whole currency unit buys, as a decimal with at most 6 places. */
  creditsPerUnit: string;
  minimumAmountMinor: number;
  maximumAmountMinor: number;
  packs: CreditPack[];
}

const PACK = /^([a-z0-9-]{1,40}):([^:,]{1,80}):(\d{1,12})$/;

/** `id:name:amountMinor,...` into packs; throws naming the first bad entry. */
export function parsePacks(text: string): CreditPack[] {
  const entries = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return entries.map((entry) => {
    const match = PACK.exec(entry);
    if (!match) throw new Error(`BILLING_PACKS: "${entry}" is not id:name:amountMinor`);
    return { id: match[1]!, name: match[2]!, amountMinor: Number(match[3]) };
  });
}

/** How many digits the currency's minor unit has (2 for usd, 0 for jpy), as Intl knows it. */
export function minorUnitDigits(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits ?? 2
  );
}

/**
 * The price list with its arithmetic. Credits are always computed from an amount of money with
 * integers only: micro-credits per whole unit (exact, at most 6 decimal places of credits), times
 * the minor amount, divided by the minor unit's size, rounded down (the payer never gets a
 * fraction of a micro-credit the rate does not give).
 */
export function createPrices(settings: PriceSettings) {
  const digits = minorUnitDigits(settings.currency);
  const [whole, fraction = ''] = settings.creditsPerUnit.split('.');
  const microsPerUnit = BigInt(whole!) * 1_000_000n + BigInt(fraction.padEnd(6, '0'));
  const minorPerUnit = 10n ** BigInt(digits);
  const packs = settings.packs.map((pack) => ({ ...pack }));
  for (const pack of packs) {
    if (pack.amountMinor < settings.minimumAmountMinor) {
      throw new Error(`pack ${pack.id} costs less than BILLING_MIN_PURCHASE_MINOR`);
    }
  }

  /** The micro-credits `amountMinor` of the currency buys. */
  const creditsFor = (amountMinor: number | bigint): bigint =>
    (BigInt(amountMinor) * microsPerUnit) / minorPerUnit;

  return {
    currency: settings.currency,
    minorUnitDigits: digits,
    minimumAmountMinor: settings.minimumAmountMinor,
    maximumAmountMinor: settings.maximumAmountMinor,
    /** Micro-credits per minor unit, rounded down (what the schema shows). */
    creditsPerMinorUnit: microsPerUnit / minorPerUnit,
    packs: packs.map((pack) => ({ ...pack, credits: creditsFor(pack.amountMinor) })),
    creditsFor,

    /** What a purchase request asks for: an amount in range, or a known pack (BAD_USER_INPUT). */
    resolveRequest(input: { amountMinor?: number | null; packId?: string | null }) {
      const { amountMinor, packId } = input;
      if ((amountMinor == null) === (packId == null)) {
        throw badUserInput('Give amountMinor or packId, not both.', { argument: 'input' });
      }
      if (packId != null) {
        const pack = packs.find((p) => p.id === packId);
        if (!pack) {
          throw badUserInput(`No credit pack ${packId}.`, {
            argument: 'packId',
            packIds: packs.map((p) => p.id),
          });
        }
        return { amountMinor: pack.amountMinor, packId: pack.id, name: pack.name };
      }
      this.checkAmount(amountMinor!, 'amountMinor');
      return { amountMinor: amountMinor!, packId: null, name: 'Credits' };
    },

    /** An amount within the limits, or BAD_USER_INPUT naming them. */
    checkAmount(amountMinor: number, argument: string) {
      if (
        !Number.isSafeInteger(amountMinor) ||
        amountMinor < settings.minimumAmountMinor ||
        amountMinor > settings.maximumAmountMinor
      ) {
        throw badUserInput(
          `${argument} must be a whole number from ${settings.minimumAmountMinor} to ${settings.maximumAmountMinor} (minor units of ${settings.currency}).`,
          {
            argument,
            minimumAmountMinor: settings.minimumAmountMinor,
            maximumAmountMinor: settings.maximumAmountMinor,
          },
        );
      }
    },
  };
}

export type Prices = ReturnType<typeof createPrices>;
