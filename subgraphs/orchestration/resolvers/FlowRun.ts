import type { FlowRunResolvers } from '../generated/resolvers-types.js';

export const FlowRun: FlowRunResolvers = {
  steps: (run, _args, ctx) => ctx.flowLoaders.runSteps.load(run.id),
};
