import type { ResolvedTarget } from '../../../../lib/catalog/resolved-route.js';
import { resolvedTarget as target } from './resolved-target-fixture.js';
import { orderTargets, type OrderContext } from './order-targets.js';

const ids = (targets: ResolvedTarget[]) => targets.map((t) => t.model.id);

function context(overrides: Partial<OrderContext> = {}): OrderContext {
  return {
    latencyOf: () => null,
    estimate: { inputTokens: 1_000, outputTokens: 1_000 },
    random: () => 0.5,
    ...overrides,
  };
}

/** mulberry32: a small seeded PRNG, so the statistical check always sees the same draws. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('orderTargets', () => {
  it('FALLBACK keeps the listed order, in a new array', () => {
    const targets = [target('c'), target('a'), target('b')];
    const ordered = orderTargets('FALLBACK', targets, context({ latencyOf: () => 1 }));
    expect(ids(ordered)).toEqual(['c', 'a', 'b']);
    expect(ordered).not.toBe(targets);
  });

  describe('WEIGHTED', () => {
    const split = [target('heavy', { weight: 3 }), target('light', { weight: 1 })];

    it.each([
      [0, ['heavy', 'light']],
      [0.1, ['heavy', 'light']],
      [0.74, ['heavy', 'light']],
      [0.76, ['light', 'heavy']],
      [0.9, ['light', 'heavy']],
      [0.999_999, ['light', 'heavy']],
    ])('with weights 3:1 and random() = %p orders %p', (draw, expected) => {
      expect(ids(orderTargets('WEIGHTED', split, context({ random: () => draw })))).toEqual(
        expected,
      );
    });

    it('draws the fallbacks by weight too, without replacement', () => {
      const three = [
        target('a', { weight: 1 }),
        target('b', { weight: 1 }),
        target('c', { weight: 2 }),
      ];
      // First draw 0.9 × 4 = 3.6 → c; then 0.6 × 2 = 1.2 over a, b → b; a is last.
      const draws = [0.9, 0.6];
      const ordered = orderTargets('WEIGHTED', three, context({ random: () => draws.shift()! }));
      expect(ids(ordered)).toEqual(['c', 'b', 'a']);
    });

    it('splits first picks 75/25 over 4,000 draws', () => {
      const random = seeded(20240611);
      let heavyFirst = 0;
      for (let i = 0; i < 4_000; i += 1) {
        if (orderTargets('WEIGHTED', split, context({ random }))[0]!.model.id === 'heavy') {
          heavyFirst += 1;
        }
      }
      expect(heavyFirst / 4_000).toBeGreaterThan(0.72);
      expect(heavyFirst / 4_000).toBeLessThan(0.78);
    });

    it('puts a weight of 0 last, whatever the draw', () => {
      const targets = [
        target('zero', { weight: 0 }),
        target('a', { weight: 2 }),
        target('negative', { weight: -1 }),
        target('b', { weight: 1 }),
      ];
      const random = seeded(7);
      const draws = [0, 0.999_999_999, ...Array.from({ length: 500 }, random)];
      for (const draw of draws) {
        const ordered = ids(orderTargets('WEIGHTED', targets, context({ random: () => draw })));
        expect(ordered.slice(0, 2).sort()).toEqual(['a', 'b']);
        // Among themselves, zero weights keep the listed order.
        expect(ordered.slice(2)).toEqual(['zero', 'negative']);
      }
    });

    it('keeps the listed order when every weight is 0', () => {
      const targets = [target('x', { weight: 0 }), target('y', { weight: 0 })];
      expect(ids(orderTargets('WEIGHTED', targets, context({ random: () => 0.9 })))).toEqual([
        'x',
        'y',
      ]);
    });
  });

  describe('LOWEST_LATENCY', () => {
    it('puts the fastest first, unknown latencies after known ones, ties in listed order', () => {
      const latencies: Record<string, number | null> = {
        unknown1: null,
        slow: 900,
        tieA: 120,
        fast: 40,
        unknown2: null,
        tieB: 120,
      };
      const targets = Object.keys(latencies).map((id) => target(id));
      const ordered = orderTargets(
        'LOWEST_LATENCY',
        targets,
        context({ latencyOf: (id) => latencies[id] ?? null }),
      );
      expect(ids(ordered)).toEqual(['fast', 'tieA', 'tieB', 'slow', 'unknown1', 'unknown2']);
    });
  });

  describe('LOWEST_COST', () => {
    // cheapInput: 1 in / 10 out; cheapOutput: 5 in / 2 out (µcr per million tokens).
    const targets = [
      target('unpriced', { price: null }),
      target('cheapInput', { price: ['1', '10'] }),
      target('cheapOutput', { price: ['5', '2'] }),
    ];

    it.each([
      // cheapInput: 1 + 0.1 → 2 µcr; cheapOutput: 5 + 0.02 → 6 µcr.
      [
        'puts the cheapest for an input-heavy estimate first',
        { inputTokens: 1_000_000, outputTokens: 10_000 },
        ['cheapInput', 'cheapOutput', 'unpriced'],
      ],
      // cheapInput: 0.01 + 10 → 11 µcr; cheapOutput: 0.05 + 2 → 3 µcr.
      [
        'flips the order for an output-heavy estimate',
        { inputTokens: 10_000, outputTokens: 1_000_000 },
        ['cheapOutput', 'cheapInput', 'unpriced'],
      ],
    ])('%s', (_case, estimate, expected) => {
      expect(ids(orderTargets('LOWEST_COST', targets, context({ estimate })))).toEqual(expected);
    });

    it('keeps the listed order between equal costs', () => {
      const same = [
        target('first', { price: ['3', '3'] }),
        target('second', { price: ['3', '3'] }),
      ];
      expect(ids(orderTargets('LOWEST_COST', same, context()))).toEqual(['first', 'second']);
      expect(ids(orderTargets('LOWEST_COST', [...same].reverse(), context()))).toEqual([
        'second',
        'first',
      ]);
    });
  });
});
