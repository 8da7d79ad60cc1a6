import type { QueryResolvers } from '../generated/resolvers-types.js';
import { usageReport } from '../service/usage/usage-report.js';
import { selectsField } from './operation-fields.js';

/** Reports; shield has already checked who may read which team (or the organization). */
export const Query: QueryResolvers = {
  usage: (_parent, args, ctx, info) =>
    usageReport(ctx.usage, args, { points: selectsField(info, ['series', 'points']) }),
};
