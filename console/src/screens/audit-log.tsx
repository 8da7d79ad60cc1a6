import { useState } from 'react';
import { ConsoleAuditLogDocument } from '../generated/graphql';
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
          <div className="table-scroll">
            <table>
              <caption>
                {log.edges.length} of {log.totalCount} events
                {orgWide ? ' in the organization' : team ? ` of ${team.name}` : ''}, newest first
              </caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Action</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Target</th>
                </tr>
              </thead>
              <tbody>
                {log.edges.map(({ node: e }) => (
                  <tr key={e.id}>
                    <td>{new Date(e.createdAt).toLocaleString()}</td>
                    <td>{e.action}</td>
                    <td>
                      <code>{e.actor}</code>
                    </td>
                    <td>{e.outcome.toLowerCase()}</td>
                    <td>{e.targetType ? `${e.targetType} ${e.targetId ?? ''}` : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
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
