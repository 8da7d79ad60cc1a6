import { DateTimeScalar, JsonScalar, MicrosScalar } from '../../../lib/graphql/scalars.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { Embeddings } from './Embeddings.js';
import { Generation } from './Generation.js';
import { Model } from './Model.js';
import { Mutation } from './Mutation.js';
import { ProviderAttempt } from './ProviderAttempt.js';
import { Query } from './Query.js';
import { GenerationEvent, Subscription } from './Subscription.js';

/** The inference subgraph's resolver map, one file per GraphQL type. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JsonScalar,
  Micros: MicrosScalar,
  Query,
  Mutation,
  Subscription,
  GenerationEvent,
  Generation,
  Embeddings,
  ProviderAttempt,
  Model,
};
