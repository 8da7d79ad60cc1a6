import type { ProviderResolvers } from '../generated/resolvers-types.js';
import { modelConnection } from './model-connection.js';

export const Provider: ProviderResolvers = {
  models: (provider, { first, after }, ctx) =>
    modelConnection(ctx, { providers: [provider.id] }, first, after),
};
