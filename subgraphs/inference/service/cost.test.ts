import fc from 'fast-check';
import { costOf, expectedPromptTokens, worstCaseCost, type Price } from './cost.js';

const price = (inputPerMillion: string, outputPerMillion: string): Price => ({
  version: 1,
  inputPerMillion,
  outputPerMillion,
});

describe('costOf', () => {
  it('rounds up: one token at 1 µcr per million costs 1 µcr', () => {
    expect(costOf({ inputTokens: 1, outputTokens: 0 }, price('1', '0'))).toBe(1n);
    expect(costOf({ inputTokens: 0, outputTokens: 1 }, price('0', '1'))).toBe(1n);
  });

  it('rounds input and output up separately, as the catalog documents Pricing', () => {
    // 0.5 µcr of input and 0.5 µcr of output: each part rounds up to 1.
    expect(costOf({ inputTokens: 500_000, outputTokens: 500_000 }, price('1', '1'))).toBe(2n);
    expect(costOf({ inputTokens: 1_000_000, outputTokens: 1 }, price('1', '1'))).toBe(2n);
    expect(costOf({ inputTokens: 999_999, outputTokens: 0 }, price('1', '5'))).toBe(1n);
  });

  it('charges exact multiples exactly, and nothing for nothing', () => {
    expect(costOf({ inputTokens: 2_000_000, outputTokens: 3_000_000 }, price('7', '11'))).toBe(47n);
    expect(costOf({ inputTokens: 0, outputTokens: 0 }, price('123', '456'))).toBe(0n);
    expect(costOf({ inputTokens: 1_000, outputTokens: 1_000 }, price('0', '0'))).toBe(0n);
  });

  it('stays exact far beyond float precision', () => {
    expect(
      costOf({ inputTokens: 1_000_000_000, outputTokens: 0 }, price('1000000000000', '0')),
    ).toBe(1_000_000_000_000_000n);
    // Each part: (10^9 − 1)(10^12 − 1) = 999999998999000000001, ÷ 10^6 rounded up is
    // 999999998999001. As doubles the product would already be off by thousands.
    expect(
      costOf(
        { inputTokens: 999_999_999, outputTokens: 999_999_999 },
        price('999999999999', '999999999999'),
      ),
    ).toBe(1_999_999_997_998_002n);
  });
});

describe('worstCaseCost', () => {
  it('prices the input bound and every output token', () => {
    expect(worstCaseCost(141, 50, price('1000000', '2000000'))).toBe(141n + 100n);
  });

  it('is never below the cost of any usage within the bounds', () => {
    const decimal = fc.bigInt({ min: 0n, max: 10n ** 13n }).map(String);
    const scenario = fc
      .record({
        bound: fc.nat({ max: 2_000_000 }),
        maxTokens: fc.nat({ max: 200_000 }),
        price: fc.record({
          version: fc.nat(),
          inputPerMillion: decimal,
          outputPerMillion: decimal,
        }),
        inputShare: fc.double({ min: 0, max: 1, noNaN: true }),
        outputShare: fc.double({ min: 0, max: 1, noNaN: true }),
      })
      .map((s) => ({
        ...s,
        actual: {
          inputTokens: Math.floor(s.bound * s.inputShare),
          outputTokens: Math.floor(s.maxTokens * s.outputShare),
        },
      }));
    fc.assert(
      fc.property(scenario, ({ bound, maxTokens, price: p, actual }) => {
        expect(worstCaseCost(bound, maxTokens, p)).toBeGreaterThanOrEqual(costOf(actual, p));
      }),
    );
  });
});

describe('expectedPromptTokens (rate limits only)', () => {
  it('is our count, a quarter more and 16', () => {
    expect(expectedPromptTokens(0)).toBe(16);
    expect(expectedPromptTokens(100)).toBe(141);
    expect(expectedPromptTokens(101)).toBe(143);
  });
});
