import type { FlowResolvers } from '../generated/resolvers-types.js';

export const Flow: FlowResolvers = {
  versions: (flow, _args, ctx) => ctx.flowLoaders.flowVersions.load(flow.id),
  version: (flow, { number }, ctx) => ctx.flows.version(flow.id, number),
  labels: (flow, _args, ctx) => ctx.flowLoaders.flowLabels.load(flow.id),
};
