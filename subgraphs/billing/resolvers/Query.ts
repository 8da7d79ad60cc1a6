import { badUserInput } from '../../../lib/errors.js';
import { toConnection } from '../../../lib/graphql/connection.js';
import { decodeCursor, encodeCursor, pageSize, toPage } from '../../../lib/graphql/pagination.js';
import type { QueryResolvers } from '../generated/resolvers-types.js';

const EVENT_CURSOR = 'payment-event';

export const Query: QueryResolvers = {
  creditPrices: (_parent, _args, ctx) => {
    const { prices, testMode } = ctx.billing;
    return {
      currency: prices.currency,
      minorUnitDigits: prices.minorUnitDigits,
      creditsPerMinorUnit: prices.creditsPerMinorUnit,
      minimumAmountMinor: prices.minimumAmountMinor,
      maximumAmountMinor: prices.maximumAmountMinor,
      packs: prices.packs,
      testMode,
    };
  },
  purchase: (_parent, { id }, ctx) => ctx.loaders.purchase.load(id),
  reconciliationRuns: (_parent, { first }, ctx) => {
    const count = first ?? 10;
    if (!Number.isInteger(count) || count < 1 || count > 50) {
      throw badUserInput('first must be from 1 to 50.', { argument: 'first' });
    }
    return ctx.billing.reconciliation.latest(count);
  },
  paymentEvents: async (_parent, { first, after }, ctx) => {
    const size = Math.max(1, pageSize(first));
    const [afterSeq] = decodeCursor(EVENT_CURSOR, after) ?? [null];
    const rows = await ctx.billing.events.page(size, afterSeq ?? null);
    // The connection has no totalCount field: the count is never asked for.
    return toConnection(
      toPage(rows, size, after),
      (event) => encodeCursor(EVENT_CURSOR, [event.seq]),
      async () => 0,
    );
  },
};
