import { useState, type FormEvent } from 'react';
import { request } from '../api/client';
import {
  CreateConsoleApiKeyDocument,
  RevokeConsoleApiKeyDocument,
  TeamApiKeysDocument,
} from '../generated/graphql';
import { DataTable } from '../parts/data-table';
import { ErrorNote } from '../parts/error-note';
import { useQuery } from '../use-query';
import { useViewer } from '../viewer';

const SCOPES = ['models:read', 'inference:invoke', 'wallet:read', 'wallet:admin', 'policy:admin'];

/** The team's API keys: create one (its secret shown once, here only), revoke one. */
export default function ApiKeys() {
  const { team, can } = useViewer();
  const keys = useQuery(TeamApiKeysDocument, { teamId: team?.id ?? '' });
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['models:read', 'inference:invoke']);
  const [secret, setSecret] = useState<{ name: string; secret: string }>();
  const [failure, setFailure] = useState<Error>();

  const create = async (event: FormEvent) => {
    event.preventDefault();
    if (!team) return;
    setFailure(undefined);
    try {
      const { createApiKey } = await request(CreateConsoleApiKeyDocument, {
        input: { teamId: team.id, name, scopes },
      });
      setSecret({ name: createApiKey.apiKey.name, secret: createApiKey.secret });
      setName('');
      await keys.refetch();
    } catch (thrown) {
      setFailure(thrown as Error);
    }
  };
  const revoke = async (id: string) => {
    setFailure(undefined);
    try {
      await request(RevokeConsoleApiKeyDocument, { id });
      await keys.refetch();
    } catch (thrown) {
      setFailure(thrown as Error);
    }
  };
  const toggle = (scope: string) =>
    setScopes((s) => (s.includes(scope) ? s.filter((x) => x !== scope) : [...s, scope]));

  return (
    <>
      <h1>API keys</h1>
      {secret && (
        <section className="secret" aria-labelledby="secret-heading">
          <h2 id="secret-heading">Key "{secret.name}" created</h2>
          <p>Copy it now: it is shown this once and stored only as a hash.</p>
          <p>
            <code data-testid="new-secret">{secret.secret}</code>
          </p>
          <button type="button" onClick={() => setSecret(undefined)}>
            I have copied it
          </button>
        </section>
      )}
      <form onSubmit={create} className="stack">
        <h2>New key</h2>
        <label htmlFor="key-name">Name</label>
        <input id="key-name" value={name} onChange={(e) => setName(e.target.value)} required />
        <fieldset>
          <legend>Scopes (no more than your own)</legend>
          {SCOPES.filter(can).map((scope) => (
            <label key={scope} className="choice">
              <input
                type="checkbox"
                checked={scopes.includes(scope)}
                onChange={() => toggle(scope)}
              />{' '}
              {scope}
            </label>
          ))}
        </fieldset>
        <div className="actions">
          <button type="submit">Create key</button>
        </div>
      </form>
      <ErrorNote error={failure ?? keys.error} />
      <h2>Keys</h2>
      <DataTable
        rows={keys.data?.team?.apiKeys ?? []}
        rowKey={(k) => k.id}
        columns={[
          { header: 'Name', rowHeader: true, cell: (k) => k.name },
          { header: 'Prefix', cell: (k) => <code>{k.prefix}</code> },
          { header: 'Scopes', cell: (k) => k.scopes.join(', ') },
          {
            header: 'Last used',
            cell: (k) => (k.lastUsedAt ? new Date(k.lastUsedAt).toLocaleString() : 'never'),
          },
          {
            header: 'Status',
            cell: (k) =>
              k.revokedAt ? (
                'Revoked'
              ) : (
                <button type="button" onClick={() => void revoke(k.id)}>
                  Revoke <span className="visually-hidden">{k.name}</span>
                </button>
              ),
          },
        ]}
      />
    </>
  );
}
