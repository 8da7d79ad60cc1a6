import { OrgTeamsDocument } from '../generated/graphql';
import { ErrorNote } from '../parts/error-note';
import { useQuery } from '../use-query';

/** Organization admins: every team, its members, rate limits and model access rules. */
export default function Teams() {
  const { data, error } = useQuery(OrgTeamsDocument, {});
  return (
    <>
      <h1>Teams</h1>
      <ErrorNote error={error} />
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Team</th>
              <th scope="col">Members</th>
              <th scope="col">Requests per minute</th>
              <th scope="col">Tokens per minute</th>
              <th scope="col">Model access rules</th>
            </tr>
          </thead>
          <tbody>
            {(data?.teams ?? []).map((t) => (
              <tr key={t.id}>
                <th scope="row">{t.name}</th>
                <td>{t.members.map((m) => `${m.userId} (${m.role.toLowerCase()})`).join(', ')}</td>
                <td>{t.quota.requestsPerMinute ?? 'unlimited'}</td>
                <td>{t.quota.tokensPerMinute ?? 'unlimited'}</td>
                <td>
                  {t.accessRules
                    .map((r) =>
                      [r.effect, r.subject, r.subject === 'ANY' ? '' : r.value]
                        .join(' ')
                        .toLowerCase()
                        .trim(),
                    )
                    .join('; ') || 'organization default'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
