import { toConnection } from '../../../lib/graphql/connection.js';
import { decodeCursor, encodeCursor, pageSize, toPage } from '../../../lib/graphql/pagination.js';
import type { PolicyContext } from '../context.js';
import type { AuditEventRow, AuditFilter } from '../store/audit-store.js';

const CURSOR_KIND = 'audit';

/** A page of a team's audit events, newest first. */
export async function auditConnection(
  ctx: PolicyContext,
  teamId: string | null,
  filter: AuditFilter,
  first: number | null | undefined,
  after: string | null | undefined,
) {
  const size = pageSize(first);
  const afterSeq = decodeCursor(CURSOR_KIND, after)?.[0] ?? null;
  const rows = await ctx.service.auditEvents(teamId, filter, afterSeq, size + 1);
  return toConnection<AuditEventRow>(
    toPage(rows, size, after),
    (event) => encodeCursor(CURSOR_KIND, [event.seq]),
    () => ctx.service.countAuditEvents(teamId, filter),
  );
}
