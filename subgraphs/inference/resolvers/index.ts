import { DateTimeScalar, MicrosScalar } from '../../../lib/graphql/scalars.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { mutation } from './mutation.js';

const usage = (u: { inputTokens: number; outputTokens: number }) => ({
  ...u,
  totalTokens: u.inputTokens + u.outputTokens,
});

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Micros: MicrosScalar,
  Mutation: mutation,
  Generation: {
    model: (g) => ({ id: g.modelId }),
    usage: (g) => usage(g.usage),
    cost: (g) => BigInt(g.cost),
    createdAt: (g) => new Date(g.createdAt),
  },
  Embeddings: {
    model: (e) => ({ id: e.modelId }),
    usage: (e) => usage(e.usage),
    cost: (e) => BigInt(e.cost),
    dimensions: (e) => e.vectors[0]?.length ?? 0,
  },
  ProviderAttempt: {
    model: (a) => ({ id: a.modelId }),
    provider: (a) => a.providerId,
  },
  Model: {
    __resolveReference: (reference) => ({ id: reference.id }),
    health: (model, _args, ctx) => ctx.health.snapshot(model.id),
  },
};
