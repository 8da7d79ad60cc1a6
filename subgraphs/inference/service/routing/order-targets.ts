import type { ResolvedTarget, RoutingStrategy } from '../../../../lib/catalog/resolved-route.js';
import { costOf } from '../cost.js';

export interface OrderContext {
  /** A deployment's recent median latency in ms; null when unknown. */
  latencyOf(modelId: string): number | null;
  /** The call's expected size, to compare prices. */
  estimate: { inputTokens: number; outputTokens: number };
  /** [0, 1). */
  random(): number;
}

/**
 * The order in which to try a route's targets:
 * - FALLBACK: as listed;
 * - WEIGHTED: drawn by weight without replacement (the first pick carries the traffic split, the
 *   rest are its fallbacks, also by weight); a weight of 0 only ever serves as a fallback;
 * - LOWEST_LATENCY: by recent median latency, fastest first; deployments without figures after
 *   those with, in listed order;
 * - LOWEST_COST: by this call's estimated cost at each target's price, cheapest first.
 * Ties keep the listed order.
 */
export function orderTargets(
  strategy: RoutingStrategy,
  targets: readonly ResolvedTarget[],
  ctx: OrderContext,
): ResolvedTarget[] {
  switch (strategy) {
    case 'FALLBACK':
      return [...targets];
    case 'WEIGHTED':
      return weightedOrder(targets, ctx.random);
    case 'LOWEST_LATENCY':
      return stableSortBy(targets, (t) => ctx.latencyOf(t.model.id) ?? Number.POSITIVE_INFINITY);
    case 'LOWEST_COST':
      return stableSortBy(targets, (t) =>
        t.model.price ? Number(costOf(ctx.estimate, t.model.price)) : Number.POSITIVE_INFINITY,
      );
  }
}

function stableSortBy<T>(items: readonly T[], score: (item: T) => number): T[] {
  return items
    .map((item, index) => ({ item, index, score: score(item) }))
    .sort((a, b) => a.score - b.score || a.index - b.index)
    .map((entry) => entry.item);
}

function weightedOrder(targets: readonly ResolvedTarget[], random: () => number) {
  const left = [...targets];
  const order: ResolvedTarget[] = [];
  while (left.length > 0) {
    const total = left.reduce((sum, t) => sum + Math.max(0, t.weight), 0);
    let index = 0;
    if (total > 0) {
      let point = random() * total;
      index = left.findIndex((t) => (point -= Math.max(0, t.weight)) < 0);
      if (index === -1) index = left.length - 1;
    }
    order.push(...left.splice(index, 1));
  }
  return order;
}
