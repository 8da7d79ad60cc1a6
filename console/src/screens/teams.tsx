import { useState } from 'react';
import { OrgTeamsDocument } from '../generated/graphql';
import { ErrorNote } from '../parts/error-note';
import { DataTable } from '../parts/data-table';
import { AccessRules } from '../teams/access-rules';
import { CreateTeam } from '../teams/create-team';
import { Members } from '../teams/members';
import { QuotaForm } from '../teams/quota-form';
import { ruleText } from '../teams/team';
import { useQuery } from '../use-query';

/**
 * Organization admins: every team, its members, rate limits and model access rules; create a
 * team, and edit one's limits, rules and members.
 */
export default function Teams() {
  const { data, error, refetch } = useQuery(OrgTeamsDocument, {});
  const [editing, setEditing] = useState<string>();
  const team = data?.teams.find((t) => t.id === editing);
  const created = async (teamId: string) => {
    await refetch();
    setEditing(teamId);
  };
  return (
    <>
      <h1>Teams</h1>
      <ErrorNote error={error} />
      <DataTable
        rows={data?.teams ?? []}
        rowKey={(t) => t.id}
        columns={[
          { header: 'Team', rowHeader: true, cell: (t) => t.name },
          {
            header: 'Members',
            cell: (t) => t.members.map((m) => `${m.userId} (${m.role.toLowerCase()})`).join(', '),
          },
          { header: 'Requests per minute', cell: (t) => t.quota.requestsPerMinute ?? 'unlimited' },
          { header: 'Tokens per minute', cell: (t) => t.quota.tokensPerMinute ?? 'unlimited' },
          {
            header: 'Model access rules',
            cell: (t) => t.accessRules.map(ruleText).join('; ') || 'organization default',
          },
          {
            header: 'Edit',
            cell: (t) => (
              <button
                type="button"
                aria-pressed={t.id === editing}
                onClick={() => setEditing(t.id)}
              >
                Edit <span className="visually-hidden">{t.name}</span>
              </button>
            ),
          },
        ]}
      />
      {team && (
        <section className="stack" aria-labelledby="editing-heading">
          <h2 id="editing-heading">Editing {team.name}</h2>
          {/* Keyed by team: the form starts from the chosen team's stored limits. */}
          <QuotaForm key={team.id} team={team} saved={refetch} />
          <AccessRules team={team} changed={refetch} />
          <Members team={team} changed={refetch} />
        </section>
      )}
      <CreateTeam created={created} />
    </>
  );
}
