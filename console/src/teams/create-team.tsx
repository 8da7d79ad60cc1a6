import { useState, type FormEvent } from 'react';
import { request } from '../api/client';
import { ConsoleCreateTeamDocument } from '../generated/graphql';
import { ErrorNote } from '../parts/error-note';
import { useAction } from '../use-action';

/** Creates a team; `created` gets its id (to re-read the teams and edit it next). */
export function CreateTeam({ created }: { created: (teamId: string) => Promise<void> }) {
  const [name, setName] = useState('');
  const action = useAction();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const ok = await action.run(async () => {
      const { createTeam } = await request(ConsoleCreateTeamDocument, { name });
      await created(createTeam.id);
    });
    if (ok) setName('');
  };
  return (
    <form onSubmit={submit} className="stack">
      <h2>New team</h2>
      <label htmlFor="team-name">Team name</label>
      <input
        id="team-name"
        value={name}
        maxLength={100}
        onChange={(e) => setName(e.target.value)}
        required
      />
      <div className="actions">
        <button type="submit" disabled={action.busy}>
          Create team
        </button>
      </div>
      <ErrorNote error={action.error} />
    </form>
  );
}
