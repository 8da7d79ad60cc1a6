import type { Usage } from '../generated/resolvers-types.js';

/** A provider's token counts as `Usage` shows them, with their total. */
export const usageOf = (u: { inputTokens: number; outputTokens: number }): Usage => ({
  ...u,
  totalTokens: u.inputTokens + u.outputTokens,
});
