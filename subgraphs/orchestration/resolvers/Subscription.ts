import type { SubscriptionResolvers } from '../generated/resolvers-types.js';
import { runProgress, type ProgressEvent } from '../service/flows/run-progress.js';

/**
 * `subscribe` only, no `resolve` (as inference's generateStream): shield guards `subscribe`,
 * and the default resolver reads each payload's `flowRunProgress`.
 */
export const Subscription: SubscriptionResolvers = {
  flowRunProgress: {
    subscribe: async (_parent, { runId }, ctx) => {
      const run = await ctx.flows.readableRun(ctx, runId);
      const signal = ctx.signal ?? new AbortController().signal;
      return payloads(runProgress(ctx.runs, ctx.progress, run.id, signal));
    },
  },
};

async function* payloads(events: AsyncGenerator<ProgressEvent>) {
  for await (const event of events) yield { flowRunProgress: event };
}
