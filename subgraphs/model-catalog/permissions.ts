import {
  allow,
  createPermissions,
  hasScopeInAnyTeam,
  isAuthenticated,
  isOrgAdmin,
} from '../../lib/auth/shield-rules.js';

const canReadModels = hasScopeInAnyTeam('models:read');

/**
 * Anyone with `models:read` in some team reads the catalog; only organization admins change it or
 * see where providers live and which variable holds their key.
 */
export const catalogPermissions = createPermissions({
  Query: {
    models: canReadModels,
    model: canReadModels,
    providers: canReadModels,
    provider: canReadModels,
    routes: canReadModels,
    route: canReadModels,
  },
  Mutation: {
    registerModel: isOrgAdmin,
    updateModel: isOrgAdmin,
    deprecateModel: isOrgAdmin,
    registerProvider: isOrgAdmin,
    setModelRoute: isOrgAdmin,
  },
  // Entity fields also guard `_entities`: a model reached through another subgraph is still
  // only visible to a caller who may read models.
  Model: canReadModels,
  Pricing: isAuthenticated,
  Lifecycle: isAuthenticated,
  Provider: {
    '*': isAuthenticated,
    baseUrl: isOrgAdmin,
    apiKeyEnv: isOrgAdmin,
    models: canReadModels,
  },
  ModelRoute: isAuthenticated,
  RouteTarget: isAuthenticated,
  ModelConnection: isAuthenticated,
  ModelEdge: isAuthenticated,
  PageInfo: allow,
});
