import { DateTimeScalar } from '../../../lib/graphql/scalars.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { Query } from './Query.js';

/** The orchestration subgraph's resolver map: one file per GraphQL type. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
};
