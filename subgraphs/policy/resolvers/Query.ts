import { assertUuid } from '../../../lib/ids.js';
import type { QueryResolvers } from '../generated/resolvers-types.js';
import { auditConnection } from './audit-connection.js';
import { trustedDocumentConnection } from './trusted-document-connection.js';

export const Query: QueryResolvers = {
  viewer: (_parent, _args, ctx) => ctx.principal,
  team: (_parent, { id }, ctx) => {
    assertUuid(id, 'id');
    return ctx.loaders.team.load(id);
  },
  accessDecisions: (_parent, { checks }, ctx) => ctx.service.accessDecisions(checks, ctx.loaders),
  auditLog: (_parent, { teamId, filter, first, after }, ctx) => {
    if (teamId != null) assertUuid(teamId, 'teamId');
    return auditConnection(ctx, teamId ?? null, filter ?? {}, first, after);
  },
  teams: (_parent, _args, ctx) => ctx.service.listTeams(ctx.principal),
  trustedDocuments: (_parent, { clientName, first, after }, ctx) =>
    trustedDocumentConnection(ctx, clientName ?? null, first, after),
  fieldUsage: (_parent, args, ctx) => ctx.service.fieldUsage(args),
  operationUsage: (_parent, args, ctx) => ctx.service.operationUsage(args),
};
