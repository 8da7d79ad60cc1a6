import type { FlowResolvers } from '../generated/resolvers-types.js';

export const Flow: FlowResolvers = {
  versions: (flow, _args, ctx) => ctx.flows.versions(flow.id),
  version: (flow, { number }, ctx) => ctx.flows.version(flow.id, number),
  labels: (flow, _args, ctx) => ctx.flows.labels(flow.id),
};
