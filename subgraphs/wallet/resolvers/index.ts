import { DateTimeScalar, MicrosScalar } from '../../../lib/graphql/scalars.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { BalanceCrossing } from './BalanceCrossing.js';
import { Budget } from './Budget.js';
import { Hold } from './Hold.js';
import { HoldSpend } from './HoldSpend.js';
import { ModelUsage } from './ModelUsage.js';
import { Mutation } from './Mutation.js';
import { Query } from './Query.js';
import { Team } from './Team.js';
import { Transaction } from './Transaction.js';
import { Wallet } from './Wallet.js';
import { WalletStatement } from './WalletStatement.js';

/** The wallet subgraph's resolver map: one file per GraphQL type. */
export const resolvers: Resolvers = {
  Micros: MicrosScalar,
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  Team,
  Wallet,
  Budget,
  Transaction,
  Hold,
  HoldSpend,
  ModelUsage,
  BalanceCrossing,
  WalletStatement,
};
