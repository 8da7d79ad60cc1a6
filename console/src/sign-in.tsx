import { useEffect, useState, type FormEvent } from 'react';
import { storeToken } from './api/session';
import { SsoError, ssoOffer, startSso, type SsoOffer } from './api/sso';

/**
 * Sign-in: with the organization's identity provider where the gateway offers it (single
 * sign-on), or with an API key (development and automation keys alike). A key is checked by the
 * first request the console makes; either credential stays in this tab's sessionStorage until
 * sign-out.
 */
export function SignIn({
  notice,
  onSignedIn,
}: {
  notice?: string;
  onSignedIn: (token: string) => void;
}) {
  const [key, setKey] = useState('');
  const [sso, setSso] = useState<SsoOffer>(null);
  const [leaving, setLeaving] = useState(false);
  const [ssoError, setSsoError] = useState<string>();
  useEffect(() => {
    let live = true;
    void ssoOffer().then((offer) => live && setSso(offer));
    return () => {
      live = false;
    };
  }, []);
  // Back from the provider's page by the Back button: the page may come from the back-forward
  // cache with the button still disabled.
  useEffect(() => {
    const shown = (event: PageTransitionEvent) => event.persisted && setLeaving(false);
    window.addEventListener('pageshow', shown);
    return () => window.removeEventListener('pageshow', shown);
  }, []);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const token = key.trim();
    if (!token) return;
    storeToken(token);
    onSignedIn(token);
  };
  const signInWithSso = () => {
    if (sso?.status !== 'available') return;
    setLeaving(true);
    setSsoError(undefined);
    startSso(sso).catch((error: unknown) => {
      setLeaving(false);
      setSsoError(error instanceof SsoError ? error.message : 'Single sign-on could not start.');
    });
  };
  return (
    <main className="page sign-in">
      <h1>Modelgraph console</h1>
      {notice && <p role="alert">{notice}</p>}
      {sso?.status === 'available' && (
        <section aria-labelledby="sso-heading" className="sso">
          <h2 id="sso-heading">Your organization’s account</h2>
          <button type="button" onClick={signInWithSso} disabled={leaving}>
            Sign in with SSO
          </button>
          {ssoError && <p role="alert">{ssoError}</p>}
        </section>
      )}
      {sso?.status === 'unavailable' && (
        <p role="status">
          Single sign-on is set up but your identity provider cannot be reached right now. Try again
          later, or sign in with an API key.
        </p>
      )}
      {sso?.status === 'available' && <h2>Or with an API key</h2>}
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
