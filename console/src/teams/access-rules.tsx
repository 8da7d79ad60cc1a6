import { useState, type FormEvent } from 'react';
import { request } from '../api/client';
import {
  ConsoleRemoveModelAccessDocument,
  ConsoleSetModelAccessDocument,
  type AccessEffect,
  type AccessSubject,
} from '../generated/graphql';
import { ErrorNote } from '../parts/error-note';
import { useAction } from '../use-action';
import { ruleText, type OrgTeam } from './team';

const SUBJECTS: Array<{ subject: AccessSubject; label: string; example: string }> = [
  { subject: 'ANY', label: 'Any model', example: '' },
  { subject: 'MODEL', label: 'Model', example: 'local/echo-chat' },
  { subject: 'PROVIDER', label: 'Provider', example: 'openai' },
  { subject: 'CAPABILITY', label: 'Capability', example: 'EMBEDDING' },
  { subject: 'TAG', label: 'Tag', example: 'open-weights' },
];

/** A team's model access rules: remove one, add one (DENY always wins over ALLOW). */
export function AccessRules({ team, changed }: { team: OrgTeam; changed: () => Promise<void> }) {
  const [effect, setEffect] = useState<AccessEffect>('ALLOW');
  const [subject, setSubject] = useState<AccessSubject>('MODEL');
  const [value, setValue] = useState('');
  const action = useAction(changed);
  const example = SUBJECTS.find((s) => s.subject === subject)!.example;
  const add = async (event: FormEvent) => {
    event.preventDefault();
    const input = { teamId: team.id, effect, subject, value: subject === 'ANY' ? null : value };
    if (await action.run(() => request(ConsoleSetModelAccessDocument, { input }))) setValue('');
  };
  return (
    <section aria-labelledby="rules-heading">
      <h3 id="rules-heading">Model access rules</h3>
      {team.accessRules.length === 0 ? (
        <p>None: the organization-wide rules apply.</p>
      ) : (
        <ul>
          {team.accessRules.map((rule) => (
            <li key={rule.id}>
              {ruleText(rule)}{' '}
              <button
                type="button"
                disabled={action.busy}
                onClick={() =>
                  void action.run(() => request(ConsoleRemoveModelAccessDocument, { id: rule.id }))
                }
              >
                Remove <span className="visually-hidden">rule {ruleText(rule)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={add} className="filters">
        <label>
          Effect{' '}
          <select value={effect} onChange={(e) => setEffect(e.target.value as AccessEffect)}>
            <option value="ALLOW">Allow</option>
            <option value="DENY">Deny</option>
          </select>
        </label>
        <label>
          Matching{' '}
          <select value={subject} onChange={(e) => setSubject(e.target.value as AccessSubject)}>
            {SUBJECTS.map((s) => (
              <option key={s.subject} value={s.subject}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        {subject !== 'ANY' && (
          <label>
            Value{' '}
            <input
              value={value}
              placeholder={example}
              onChange={(e) => setValue(e.target.value)}
              required
            />
          </label>
        )}
        <button type="submit" disabled={action.busy}>
          Add rule
        </button>
      </form>
      <ErrorNote error={action.error} />
    </section>
  );
}
