import { DateTimeScalar, MicrosScalar } from '../../../lib/graphql/scalars.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { Mutation } from './Mutation.js';
import { Purchase } from './Purchase.js';
import { Query } from './Query.js';
import { Statement } from './Statement.js';
import { Team } from './Team.js';

/** The billing subgraph's resolver map: one file per GraphQL type. */
export const resolvers: Resolvers = {
  Micros: MicrosScalar,
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  Team,
  Purchase,
  Statement,
};
