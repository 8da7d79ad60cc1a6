import { DateTimeScalar, MicrosScalar } from '../../../lib/graphql/scalars.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { Lifecycle, Model, Provider, RouteTarget } from './model.js';
import { Mutation } from './mutation.js';
import { Query } from './query.js';

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
