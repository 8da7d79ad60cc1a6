import { DateTimeScalar } from '../../../lib/graphql/scalars.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { ApiKey } from './ApiKey.js';
import { AuditEvent } from './AuditEvent.js';
import { Membership } from './Membership.js';
import { Model } from './Model.js';
import { Mutation } from './Mutation.js';
import { Query } from './Query.js';
import { Team } from './Team.js';
import { TrustedDocument } from './TrustedDocument.js';
import { Viewer } from './Viewer.js';

/** The policy subgraph's resolver map, one file per GraphQL type. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  AuditEvent,
  Viewer,
  Membership,
  Team,
  ApiKey,
  Model,
  TrustedDocument,
};
