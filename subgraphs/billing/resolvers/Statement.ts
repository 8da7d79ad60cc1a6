import type { StatementResolvers } from '../generated/resolvers-types.js';
import { statementCsv } from '../service/statements/statement-csv.js';

/** A team's monthly statement: the service's figures, its CSV, and where to download it. */
export const Statement: StatementResolvers = {
  owedAtOpen: (statement) => statement.openingOwed,
  csv: (statement) => statementCsv(statement),
  csvUrl: (statement, _args, ctx) =>
    new URL(
      `/billing/statements/${statement.teamId}/${statement.month}.csv`,
      ctx.billing.publicUrl,
    ).toString(),
};
