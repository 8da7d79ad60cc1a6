import { useState } from 'react';
import { ConsoleAuditLogDocument } from '../generated/graphql';
import { DataTable } from '../parts/data-table';
import { ErrorNote } from '../parts/error-note';
import { useQuery } from '../use-query';
import { useViewer } from '../viewer';

/**
 * The audit log, newest first: the current team's (its admins), or the organization-wide one
 * (organization admins).
 */
export default function AuditLog() {
  const { team, isOrgAdmin } = useViewer();
  const [orgWide, setOrgWide] = useState(isOrgAdmin && !team);
  const [after, setAfter] = useState<string | null>(null);
  const teamId = orgWide ? null : (team?.id ?? null);
  const { data, error } = useQuery(ConsoleAuditLogDocument, { teamId, after });
  const log = data?.auditLog;

  return (
    <>
      <h1>Audit log</h1>
      {isOrgAdmin && (
        <label>
          <input
            type="checkbox"
            checked={orgWide}
            onChange={(e) => {
              setAfter(null);
              setOrgWide(e.target.checked);
            }}
          />{' '}
          Organization-wide events (not one team's)
        </label>
      )}
      <ErrorNote error={error} />
      {log && (
        <>
          <DataTable
            caption={
              <>
                {log.edges.length} of {log.totalCount} events
                {orgWide ? ' in the organization' : team ? ` of ${team.name}` : ''}, newest first
              </>
            }
            rows={log.edges.map((edge) => edge.node)}
            rowKey={(e) => e.id}
            columns={[
              { header: 'When', cell: (e) => new Date(e.createdAt).toLocaleString() },
              { header: 'Action', cell: (e) => e.action },
              { header: 'Actor', cell: (e) => <code>{e.actor}</code> },
              { header: 'Outcome', cell: (e) => e.outcome.toLowerCase() },
              {
                header: 'Target',
                cell: (e) => (e.targetType ? `${e.targetType} ${e.targetId ?? ''}` : ''),
              },
            ]}
          />
          <div className="actions">
            {after && (
              <button type="button" onClick={() => setAfter(null)}>
                Newest
              </button>
            )}
            {log.pageInfo.hasNextPage && (
              <button type="button" onClick={() => setAfter(log.pageInfo.endCursor ?? null)}>
                Older
              </button>
            )}
          </div>
        </>
      )}
    </>
  );
}
