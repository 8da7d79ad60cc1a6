import { useState, type FormEvent } from 'react';
import { request } from '../api/client';
import { ConsoleSetQuotaDocument, type QuotaInput } from '../generated/graphql';
import { ErrorNote } from '../parts/error-note';
import { useAction } from '../use-action';
import type { OrgTeam } from './team';

type Limit = keyof QuotaInput & keyof OrgTeam['quota'];

/** Every limit setQuota takes: the whole set is sent, since an omitted one becomes unlimited. */
const LIMITS: Array<{ field: Limit; label: string }> = [
  { field: 'requestsPerMinute', label: 'Requests per minute' },
  { field: 'tokensPerMinute', label: 'Tokens per minute' },
  { field: 'tokensPerDay', label: 'Tokens per day' },
  { field: 'keyRequestsPerMinute', label: 'Requests per minute per key' },
  { field: 'keyTokensPerMinute', label: 'Tokens per minute per key' },
  { field: 'maxConcurrentStreams', label: 'Streams open at once' },
];

/** A team's rate limits; an empty field is unlimited. */
export function QuotaForm({ team, saved }: { team: OrgTeam; saved: () => Promise<void> }) {
  const [values, setValues] = useState(() =>
    Object.fromEntries(LIMITS.map(({ field }) => [field, team.quota[field]?.toString() ?? ''])),
  );
  const action = useAction(saved);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const input = Object.fromEntries(
      LIMITS.map(({ field }) => [field, values[field] ? Number(values[field]) : null]),
    ) as QuotaInput;
    void action.run(() => request(ConsoleSetQuotaDocument, { teamId: team.id, input }));
  };
  return (
    <form onSubmit={submit} className="stack">
      <h3>Rate limits</h3>
      <p className="hint">Leave a limit empty for unlimited.</p>
      {LIMITS.map(({ field, label }) => (
        <label key={field}>
          {label}{' '}
          <input
            type="number"
            min={1}
            step={1}
            inputMode="numeric"
            value={values[field]}
            onChange={(e) => setValues((v) => ({ ...v, [field]: e.target.value }))}
          />
        </label>
      ))}
      <div className="actions">
        <button type="submit" disabled={action.busy}>
          Save limits
        </button>
      </div>
      <ErrorNote error={action.error} />
    </form>
  );
}
