import {
  createPermissions,
  hasScopeInAnyTeam,
  isAuthenticated,
} from '../../lib/auth/shield-rules.js';

const canInvoke = hasScopeInAnyTeam('inference:invoke');

/**
 * Calls need inference:invoke in some team (the resolver checks the team charged); what a call
 * returns is the caller's own; live health is for whoever may read models.
 */
export const inferencePermissions = createPermissions({
  Mutation: { generate: canInvoke, embed: canInvoke },
  Subscription: { generateStream: canInvoke },
  GenerationDelta: isAuthenticated,
  ToolCallDelta: isAuthenticated,
  GenerationCompleted: isAuthenticated,
  GenerationFailed: isAuthenticated,
  ToolCall: isAuthenticated,
  Generation: isAuthenticated,
  Embeddings: isAuthenticated,
  Usage: isAuthenticated,
  ProviderAttempt: isAuthenticated,
  Model: { '*': hasScopeInAnyTeam('models:read'), id: isAuthenticated },
  ModelHealth: isAuthenticated,
});
