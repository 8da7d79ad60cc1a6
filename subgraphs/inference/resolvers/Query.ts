import type { QueryResolvers } from '../generated/resolvers-types.js';
import { usageReport } from '../service/usage/usage-report.js';

/** Reports; shield has already checked who may read which team (or the organization). */
export const Query: QueryResolvers = {
  usage: (_parent, args, ctx) => usageReport(ctx.usage, args),
};
