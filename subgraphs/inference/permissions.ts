import { or } from 'graphql-shield';
import {
  belongsToTeam,
  createPermissions,
  hasScopeInAnyTeam,
  isAuthenticated,
  isOrgAdmin,
} from '../../lib/auth/shield-rules.js';

const canInvoke = hasScopeInAnyTeam('inference:invoke');

/** A team's usage: its members and API keys (organization admins read any team, or all). */
const readsUsage = or(
  isOrgAdmin,
  belongsToTeam<unknown, { teamId?: string | null }>('usage', (_parent, args) => args.teamId),
);

/**
 * Calls need inference:invoke in some team (the resolver checks the team charged); what a call
 * returns is the caller's own; live health is for whoever may read models.
 */
export const inferencePermissions = createPermissions({
  Query: { usage: readsUsage },
  UsageReport: isAuthenticated,
  UsageSeries: isAuthenticated,
  UsageGroup: isAuthenticated,
  UsagePoint: isAuthenticated,
  UsageStats: isAuthenticated,
  Percentiles: isAuthenticated,
  Mutation: { generate: canInvoke, embed: canInvoke },
  Subscription: { generateStream: canInvoke },
  GenerationDelta: isAuthenticated,
  ToolCallDelta: isAuthenticated,
  GenerationCompleted: isAuthenticated,
  GenerationFailed: isAuthenticated,
  ToolCall: isAuthenticated,
  Generation: isAuthenticated,
  GenerationPrompt: isAuthenticated,
  Embeddings: isAuthenticated,
  Usage: isAuthenticated,
  ProviderAttempt: isAuthenticated,
  Model: { '*': hasScopeInAnyTeam('models:read'), id: isAuthenticated },
  ModelHealth: isAuthenticated,
});
