import type { ModelResolvers } from '../generated/resolvers-types.js';
import { modelAccess } from '../service/model-access.js';

export const Model: ModelResolvers = {
  // The representation carries the catalog fields `access` requires; nothing is read here.
  __resolveReference: (reference) => reference,
  access: (model, args, ctx) => modelAccess(model, args, ctx.principal, ctx.loaders),
};
