import type { ApolloServer } from '@apollo/server';
import type { Principal } from '../../lib/auth/principal.js';
import type { RouteContext, RouteHandler } from '../../lib/http/http-server.js';
import { sendError } from '../../lib/http/responses.js';
import { isUuid } from '../../lib/ids.js';
import { authenticateRoute, type Authenticate } from '../auth/authenticate-route.js';
import type { GatewayContext } from '../context.js';

/** `GET /billing/statements/<teamId>/<YYYY-MM>.csv`: a team's monthly statement as CSV. */
export const STATEMENT_CSV_ROUTE = '/billing/statements/*';

const PATH = /^\/billing\/statements\/([^/]+)\/([^/]+)\.csv$/;

const STATEMENT_CSV = `query StatementCsv($teamId: ID!, $month: String!) {
  team(id: $teamId) { statement(month: $month) { csv } }
}`;

const STATUS_OF_CODE: Record<string, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  SERVICE_UNAVAILABLE: 503,
};

/**
 * The statement's CSV download. It runs the public `Team.statement` query through the gateway's
 * own ApolloServer with the caller's principal, so it is authorized exactly as the GraphQL field
 * is (wallet:read in the team, or an organization admin) and a refusal keeps its code.
 */
export function statementCsvRoute(deps: {
  authenticate: Authenticate;
  contextFor(principal: Principal, ctx: RouteContext): GatewayContext;
  apollo: ApolloServer<GatewayContext>;
}): RouteHandler {
  return async (ctx) => {
    const principal = await authenticateRoute(deps.authenticate, ctx);
    if (!principal) return;
    const match = PATH.exec(ctx.url.pathname);
    if (!match) {
      return sendError(
        ctx.res,
        404,
        'NOT_FOUND',
        'Use /billing/statements/<teamId>/<YYYY-MM>.csv.',
      );
    }
    const [teamId, month] = [decodeURIComponent(match[1]!), decodeURIComponent(match[2]!)];
    if (!isUuid(teamId)) {
      return sendError(ctx.res, 400, 'BAD_USER_INPUT', 'The team id is not a valid id.');
    }
    if (!/^\d{4}-\d{2}$/.test(month)) {
      return sendError(ctx.res, 400, 'BAD_USER_INPUT', 'The month must be YYYY-MM, e.g. 2026-01.');
    }
    const response = await deps.apollo.executeOperation<{
      team: { statement: { csv: string } } | null;
    }>(
      { query: STATEMENT_CSV, variables: { teamId, month } },
      { contextValue: deps.contextFor(principal, ctx) },
    );
    const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
    const csv = result?.data?.team?.statement.csv;
    const error = result?.errors?.[0];
    if (error || typeof csv !== 'string') {
      const code = String(error?.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
      return sendError(
        ctx.res,
        STATUS_OF_CODE[code] ?? 500,
        code,
        error?.message ?? 'No statement.',
      );
    }
    ctx.res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="statement-${teamId}-${month}.csv"`,
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(csv),
    });
    ctx.res.end(csv);
  };
}
