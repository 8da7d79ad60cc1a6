import { toConnection } from '../../../lib/graphql/connection.js';
import { decodeCursor, encodeCursor, pageSize, toPage } from '../../../lib/graphql/pagination.js';
import type { PromptResolvers } from '../generated/resolvers-types.js';

export const Prompt: PromptResolvers = {
  versions: async (prompt, { first, after }, ctx) => {
    const size = pageSize(first);
    const [before] = decodeCursor('prompt-versions', after) ?? [];
    const rows = await ctx.prompts.versionsOf(
      prompt.id,
      size + 1,
      before === undefined ? null : Number(before),
    );
    return toConnection(
      toPage(rows, size, after),
      (v) => encodeCursor('prompt-versions', [v.version]),
      async () => prompt.latestVersion,
    );
  },
  version: (prompt, { number }, ctx) =>
    ctx.loaders.version.load({ promptId: prompt.id, version: number }),
  labels: (prompt, _args, ctx) => ctx.loaders.labels.load(prompt.id),
  latest: (prompt, _args, ctx) =>
    prompt.latestVersion === 0
      ? null
      : ctx.loaders.version.load({ promptId: prompt.id, version: prompt.latestVersion }),
};
