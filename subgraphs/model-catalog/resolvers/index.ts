import { DateTimeScalar, MicrosScalar } from '../../../lib/graphql/scalars.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { Lifecycle } from './Lifecycle.js';
import { Model } from './Model.js';
import { Mutation } from './Mutation.js';
import { Provider } from './Provider.js';
import { Query } from './Query.js';
import { RouteTarget } from './RouteTarget.js';

/** The catalog's resolver map, one file per GraphQL type. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Micros: MicrosScalar,
  Query,
  Mutation,
  Model,
  Lifecycle,
  Provider,
  RouteTarget,
};
