import { or } from 'graphql-shield';
import {
  allow,
  belongsToTeam,
  createPermissions,
  hasScopeInAnyTeam,
  hasScopeInTeam,
  hasServiceScope,
  isAuthenticated,
  isOrgAdmin,
} from '../../lib/auth/shield-rules.js';

const administersInputTeam = hasScopeInTeam<unknown, { input: { teamId: string } }>(
  'input.teamId',
  'policy:admin',
  (_parent, args) => args.input?.teamId,
);
const administersTeamArg = hasScopeInTeam<unknown, { teamId: string }>(
  'args.teamId',
  'policy:admin',
  (_parent, args) => args.teamId,
);
const administersTeam = hasScopeInTeam<{ id: string }>(
  'Team.id',
  'policy:admin',
  (team) => team.id,
);

/** Tenant isolation: a team, its members and its keys are visible to that team only. */
export const policyPermissions = createPermissions({
  Query: {
    viewer: isAuthenticated,
    team: belongsToTeam<unknown, { id: string }>('args.id', (_parent, args) => args.id),
    teams: isAuthenticated,
    // With a team: that team's admins; without one: the org-wide log, organization admins only.
    auditLog: or(administersTeamArg, isOrgAdmin),
    accessDecisions: hasServiceScope('policy:decide'),
    trustedDocuments: isOrgAdmin,
    fieldUsage: isOrgAdmin,
    operationUsage: isOrgAdmin,
  },
  Mutation: {
    createTeam: isOrgAdmin,
    addTeamMember: administersInputTeam,
    createApiKey: administersInputTeam,
    // The key's team is known only after loading it: the service checks policy:admin there.
    revokeApiKey: isAuthenticated,
    setQuota: isOrgAdmin,
    setModelAccess: isOrgAdmin,
    removeModelAccess: isOrgAdmin,
    removeTeamMember: administersTeamArg,
    publishDocuments: isOrgAdmin,
  },
  Viewer: isAuthenticated,
  Membership: isAuthenticated,
  Team: {
    '*': belongsToTeam<{ id: string }>('Team.id', (team) => team.id),
    members: administersTeam,
    apiKeys: administersTeam,
  },
  TeamMember: isAuthenticated,
  ApiKey: isAuthenticated,
  CreatedApiKey: isAuthenticated,
  Model: hasScopeInAnyTeam('models:read'),
  ModelAccess: isAuthenticated,
  Quota: isAuthenticated,
  AccessRule: isAuthenticated,
  AccessCheckResult: isAuthenticated,
  Provider: isAuthenticated,
  RateLimitStatus: isAuthenticated,
  LimitStatus: isAuthenticated,
  StreamLimitStatus: isAuthenticated,
  AuditEvent: isAuthenticated,
  AuditEventConnection: isAuthenticated,
  AuditEventEdge: isAuthenticated,
  PublishDocumentsPayload: isOrgAdmin,
  TrustedDocument: isOrgAdmin,
  TrustedDocumentConnection: isOrgAdmin,
  TrustedDocumentEdge: isOrgAdmin,
  FieldUsage: isOrgAdmin,
  OperationUsage: isOrgAdmin,
  PageInfo: allow,
});
