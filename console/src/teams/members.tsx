import { useState, type FormEvent } from 'react';
import { request } from '../api/client';
import {
  ConsoleAddTeamMemberDocument,
  ConsoleRemoveTeamMemberDocument,
  type TeamRole,
} from '../generated/graphql';
import { ErrorNote } from '../parts/error-note';
import { useAction } from '../use-action';
import type { OrgTeam } from './team';

const ROLES: TeamRole[] = ['VIEWER', 'MEMBER', 'ADMIN', 'OWNER'];

/**
 * A team's people (OIDC subjects): add one or change their role, remove one. API keys are the
 * API keys screen's; people sign in with OIDC.
 */
export function Members({ team, changed }: { team: OrgTeam; changed: () => Promise<void> }) {
  const [userId, setUserId] = useState('');
  const [role, setRole] = useState<TeamRole>('MEMBER');
  const action = useAction(changed);
  const add = async (event: FormEvent) => {
    event.preventDefault();
    const input = { teamId: team.id, userId, role };
    if (await action.run(() => request(ConsoleAddTeamMemberDocument, { input }))) setUserId('');
  };
  return (
    <section aria-labelledby="members-heading">
      <h3 id="members-heading">Members</h3>
      {team.members.length === 0 ? (
        <p>No people yet.</p>
      ) : (
        <ul>
          {team.members.map((m) => (
            <li key={m.userId}>
              <code>{m.userId}</code> ({m.role.toLowerCase()}){' '}
              <button
                type="button"
                disabled={action.busy}
                onClick={() =>
                  void action.run(() =>
                    request(ConsoleRemoveTeamMemberDocument, { teamId: team.id, userId: m.userId }),
                  )
                }
              >
                Remove <span className="visually-hidden">{m.userId}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={add} className="filters">
        <label>
          Person (OIDC subject){' '}
          <input value={userId} onChange={(e) => setUserId(e.target.value)} required />
        </label>
        <label>
          Role{' '}
          <select value={role} onChange={(e) => setRole(e.target.value as TeamRole)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r.toLowerCase()}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={action.busy}>
          Add or change member
        </button>
      </form>
      <ErrorNote error={action.error} />
    </section>
  );
}
