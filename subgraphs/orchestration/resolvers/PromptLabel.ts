import type { PromptLabelResolvers } from '../generated/resolvers-types.js';

export const PromptLabel: PromptLabelResolvers = {
  name: (label) => label.label,
  promptVersion: async (label, _args, ctx) => {
    const version = await ctx.loaders.version.load({
      promptId: label.promptId,
      version: label.version,
    });
    if (!version) throw new Error(`label ${label.label} points at a missing version`);
    return version;
  },
};
