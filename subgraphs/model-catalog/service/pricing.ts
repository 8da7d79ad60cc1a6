import type { PriceRow } from '../store/model-rows.js';

/**
 * Fills in `effectiveUntil` for one model's versions (sorted by effectiveFrom, then version): each
 * version lasts until the next one starts.
 */
export function withEffectiveUntil(versions: readonly PriceRow[]): PriceRow[] {
  return versions.map((price, i) => ({
    ...price,
    effectiveUntil: versions[i + 1]?.effectiveFrom ?? null,
  }));
}

/** The version in force at `at`: the latest to start at or before it (later version on a tie). */
export function priceAt(versions: readonly PriceRow[], at: Date): PriceRow | undefined {
  let found: PriceRow | undefined;
  for (const price of versions) {
    if (price.effectiveFrom.getTime() <= at.getTime()) found = price;
  }
  return found;
}
