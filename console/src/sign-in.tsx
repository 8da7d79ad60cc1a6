import { useState, type FormEvent } from 'react';
import { storeToken } from './api/session';

/**
 * Sign-in with an API key (development and automation keys alike). The key is checked by the
 * first request the console makes; it stays in this tab's sessionStorage until sign-out.
 */
export function SignIn({
  notice,
  onSignedIn,
}: {
  notice?: string;
  onSignedIn: (token: string) => void;
}) {
  const [key, setKey] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const token = key.trim();
    if (!token) return;
    storeToken(token);
    onSignedIn(token);
  };
  return (
    <main className="page sign-in">
      <h1>Modelgraph console</h1>
      {notice && <p role="alert">{notice}</p>}
      <form onSubmit={submit}>
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={key}
          onChange={(e) => setKey(e.target.value)}
          required
        />
        <button type="submit">Sign in</button>
      </form>
      <p className="hint">
        Paste a key of your team (<code>npm start</code> prints the Demo team's). It is kept in this
        browser tab only, until you sign out or close the tab.
      </p>
    </main>
  );
}
