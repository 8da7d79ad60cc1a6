import type { AuditEventResolvers } from '../generated/resolvers-types.js';

export const AuditEvent: AuditEventResolvers = {
  details: (event) => JSON.stringify(event.details),
};
