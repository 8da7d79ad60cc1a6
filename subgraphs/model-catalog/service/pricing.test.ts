import { priceAt, withEffectiveUntil } from './pricing.js';
import type { PriceRow } from '../store/model-rows.js';

const t = (iso: string) => new Date(`2026-01-${iso}Z`);
const version = (n: number, from: string, input = BigInt(n * 100)): PriceRow => ({
  modelId: 'acme/chat',
  version: n,
  inputPerMillion: input,
  outputPerMillion: input * 2n,
  effectiveFrom: t(from),
  effectiveUntil: null,
});

describe('withEffectiveUntil', () => {
  it('returns nothing for no versions', () => {
    expect(withEffectiveUntil([])).toEqual([]);
  });

  it('leaves a single version open-ended', () => {
    expect(withEffectiveUntil([version(1, '01T00:00:00')])).toEqual([version(1, '01T00:00:00')]);
  });

  it('ends each version when the next one starts and leaves the last open', () => {
    const result = withEffectiveUntil([
      version(1, '01T00:00:00'),
      version(2, '10T00:00:00'),
      version(3, '20T00:00:00'),
    ]);
    expect(result.map((p) => [p.version, p.effectiveUntil])).toEqual([
      [1, t('10T00:00:00')],
      [2, t('20T00:00:00')],
      [3, null],
    ]);
  });

  it('gives a version tied with the next one no time at all', () => {
    const [first, second] = withEffectiveUntil([
      version(1, '05T00:00:00'),
      version(2, '05T00:00:00'),
    ]);
    expect(first?.effectiveUntil).toEqual(first?.effectiveFrom);
    expect(second?.effectiveUntil).toBeNull();
  });

  it('does not change its input', () => {
    const input = [version(1, '01T00:00:00'), version(2, '02T00:00:00')];
    withEffectiveUntil(input);
    expect(input.every((p) => p.effectiveUntil === null)).toBe(true);
  });
});

describe('priceAt', () => {
  const history = [
    version(1, '01T00:00:00'),
    version(2, '10T00:00:00'),
    version(3, '10T00:00:00'),
    version(4, '20T00:00:00'),
  ];

  it.each<[string, string, number | undefined]>([
    ['the instant the first version starts', '01T00:00:00', 1],
    ['between versions', '05T12:00:00', 1],
    ['a millisecond before a change', '09T23:59:59.999', 1],
    ['exactly when two versions start (the later version wins)', '10T00:00:00', 3],
    ['just before a future version', '19T23:59:59.999', 3],
    ['once the future version starts', '20T00:00:00', 4],
    ['long after the last version', '31T00:00:00', 4],
  ])('at %s', (_case, when, expected) => {
    expect(priceAt(history, t(when))?.version).toBe(expected);
  });

  it('finds no price before the first version starts', () => {
    expect(priceAt(history, new Date(t('01T00:00:00').getTime() - 1))).toBeUndefined();
  });

  it('finds no price in an empty history', () => {
    expect(priceAt([], t('15T00:00:00'))).toBeUndefined();
  });

  it('ignores a version scheduled for the future', () => {
    const scheduled = [version(1, '01T00:00:00'), version(2, '25T00:00:00', 999n)];
    expect(priceAt(scheduled, t('24T23:59:59'))).toMatchObject({
      version: 1,
      inputPerMillion: 100n,
    });
  });
});
