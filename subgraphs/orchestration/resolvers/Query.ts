import { toConnection } from '../../../lib/graphql/connection.js';
import { decodeCursor, encodeCursor, pageSize, toPage } from '../../../lib/graphql/pagination.js';
import { assertUuid } from '../../../lib/ids.js';
import type { MetadataFilter } from '../../../lib/vectors/vector-index.js';
import type { QueryResolvers } from '../generated/resolvers-types.js';

export const Query: QueryResolvers = {
  orchestrationInfo: async (_parent, _args, ctx) => ({
    ...(await ctx.info.read()),
    callerId: ctx.principal.id,
  }),

  prompt: (_parent, { id }, ctx) => ctx.prompts.prompt(ctx, id),

  prompts: async (_parent, { teamId, first, after }, ctx) => {
    const team = assertUuid(teamId, 'teamId');
    const size = pageSize(first);
    const [afterName] = decodeCursor('prompts', after) ?? [];
    const rows = await ctx.prompts.promptsOfTeam(team, size + 1, afterName ?? null);
    return toConnection(
      toPage(rows, size, after),
      (p) => encodeCursor('prompts', [p.name]),
      () => ctx.prompts.countOfTeam(team),
    );
  },

  renderPrompt: (_parent, { ref, variables }, ctx) => ctx.prompts.render(ctx, ref, variables),

  collection: (_parent, { id }, ctx) => ctx.collections.collection(ctx, id),

  collections: async (_parent, { teamId, first, after }, ctx) => {
    const team = assertUuid(teamId, 'teamId');
    const size = pageSize(first);
    const [afterName] = decodeCursor('collections', after) ?? [];
    const rows = await ctx.collections.collectionsOfTeam(team, size + 1, afterName ?? null);
    return toConnection(
      toPage(rows, size, after),
      (c) => encodeCursor('collections', [c.name]),
      () => ctx.collections.countOfTeam(team),
    );
  },

  searchCollection: async (_parent, { collectionId, query, topK, minScore, filter }, ctx) =>
    ctx.collections.search(await ctx.collections.modelCallerFor(ctx, collectionId), collectionId, {
      text: query,
      topK: topK ?? 5,
      minScore: minScore ?? undefined,
      filter: (filter ?? undefined) as MetadataFilter | undefined,
    }),
  flow: (_parent, { id }, ctx) => ctx.flows.flow(ctx, id),

  flows: async (_parent, { teamId, first, after }, ctx) => {
    const team = assertUuid(teamId, 'teamId');
    const size = pageSize(first);
    const [afterName] = decodeCursor('flows', after) ?? [];
    const rows = await ctx.flows.flowsOfTeam(team, size + 1, afterName ?? null);
    return toConnection(
      toPage(rows, size, after),
      (f) => encodeCursor('flows', [f.name]),
      () => ctx.flows.countFlows(team),
    );
  },

  flowRun: (_parent, { id }, ctx) => ctx.flows.run(ctx, id),

  flowRuns: async (_parent, { teamId, first, after }, ctx) => {
    const team = assertUuid(teamId, 'teamId');
    const size = pageSize(first);
    const [before] = decodeCursor('flow-runs', after) ?? [];
    const rows = await ctx.flows.runsOfTeam(team, size + 1, before ?? null);
    return toConnection(
      toPage(rows, size, after),
      (r) => encodeCursor('flow-runs', [r.seq]),
      () => ctx.flows.countRuns(team),
    );
  },
};
