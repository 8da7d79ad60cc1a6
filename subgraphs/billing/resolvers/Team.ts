import { toConnection } from '../../../lib/graphql/connection.js';
import { decodeCursor, encodeCursor, pageSize, toPage } from '../../../lib/graphql/pagination.js';
import { assertUuid } from '../../../lib/ids.js';
import type { TeamResolvers } from '../generated/resolvers-types.js';

const PURCHASE_CURSOR = 'purchase';

/** A team, as billing sees it: what it bought, how it recharges, its statements. */
export const Team: TeamResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),
  purchases: async (team, { first, after, status }, ctx) => {
    const teamId = assertUuid(team.id, 'id');
    const size = pageSize(first);
    const [afterSeq] = decodeCursor(PURCHASE_CURSOR, after) ?? [null];
    const { purchases } = ctx.billing;
    const rows = await purchases.pageOfTeam(teamId, size, afterSeq ?? null, status ?? null);
    return toConnection(
      toPage(rows, size, after),
      (purchase) => encodeCursor(PURCHASE_CURSOR, [purchase.seq]),
      () => purchases.countOfTeam(teamId, status ?? null),
    );
  },
  autoRecharge: (team, _args, ctx) => ctx.loaders.autoRecharge.load(team.id),
  statement: (team, { month }, ctx) =>
    ctx.billing.statements.statementOf(assertUuid(team.id, 'id'), month, ctx.requestId),
};
