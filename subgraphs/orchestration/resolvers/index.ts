import { DateTimeScalar, JsonScalar, MicrosScalar } from '../../../lib/graphql/scalars.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { Collection } from './Collection.js';
import { Flow } from './Flow.js';
import { FlowRun } from './FlowRun.js';
import { FlowLabel, FlowVersion } from './FlowVersion.js';
import { Mutation } from './Mutation.js';
import { Prompt } from './Prompt.js';
import { PromptLabel } from './PromptLabel.js';
import { PromptVersion } from './PromptVersion.js';
import { Query } from './Query.js';
import { Subscription } from './Subscription.js';

/** The orchestration subgraph's resolver map: one file per GraphQL type. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JsonScalar,
  Micros: MicrosScalar,
  Query,
  Mutation,
  Subscription,
  Flow,
  FlowVersion,
  FlowLabel,
  FlowRun,
  Prompt,
  PromptVersion,
  PromptLabel,
  Collection,
};
