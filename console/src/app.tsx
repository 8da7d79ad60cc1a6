import { useEffect, useState } from 'react';
import { GraphQLRequestError } from './api/client';
import {
  forgetToken,
  onCredentialRefused,
  storeToken,
  storedKind,
  storedToken,
} from './api/session';
import { SsoError, completeSso, isSsoCallback } from './api/sso';
import { ConsoleViewerDocument } from './generated/graphql';
import { Shell } from './shell';
import { SignIn } from './sign-in';
import { useQuery } from './use-query';

/** What the sign-in screen says when the gateway no longer accepts the credential. */
const REFUSED = {
  key: 'That key is no longer valid. Sign in again.',
  sso: 'Your sign-in has expired. Sign in again.',
};

/**
 * Signed out: the sign-in screen; back from the identity provider: the end of single sign-on;
 * signed in: the console for whoever the credential belongs to.
 */
export function App() {
  const [callback, setCallback] = useState(isSsoCallback);
  const [token, setToken] = useState(storedToken);
  const [notice, setNotice] = useState<string>();
  if (callback) {
    return (
      <SsoCallback
        onDone={(outcome) => {
          if ('token' in outcome) {
            storeToken(outcome.token, 'sso');
            setToken(outcome.token);
            setNotice(undefined);
          } else {
            setNotice(outcome.error);
          }
          setCallback(false);
        }}
      />
    );
  }
  if (!token) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(t) => {
          setNotice(undefined);
          setToken(t);
        }}
      />
    );
  }
  const signOut = (message?: string) => {
    forgetToken();
    setNotice(message);
    setToken(null);
  };
  return <SignedIn key={token} signOut={signOut} />;
}

function SsoCallback({
  onDone,
}: {
  onDone: (outcome: { token: string } | { error: string }) => void;
}) {
  useEffect(() => {
    let live = true;
    completeSso().then(
      (token) => live && onDone({ token }),
      (error: unknown) =>
        live &&
        onDone({
          error: error instanceof SsoError ? error.message : 'The sign-in could not be completed.',
        }),
    );
    return () => {
      live = false;
    };
    // Once (completeSso memoizes): the answer in the address bar is used a single time.
  }, [onDone]);
  return (
    <main className="page sign-in">
      <h1>Modelgraph console</h1>
      <p aria-busy="true">Completing sign-in…</p>
    </main>
  );
}

function SignedIn({ signOut }: { signOut: (message?: string) => void }) {
  const { data, error } = useQuery(ConsoleViewerDocument, {});
  // Revoked or expired since sign-in, whichever screen's request finds out: back to sign-in.
  useEffect(() => onCredentialRefused(() => signOut(REFUSED[storedKind()])), [signOut]);
  if (error instanceof GraphQLRequestError && error.code === 'UNAUTHENTICATED') {
    queueMicrotask(() => signOut(REFUSED[storedKind()]));
    return null;
  }
  if (error) {
    return (
      <main className="page">
        <p role="alert">Could not load your account: {error.message}</p>
        <button type="button" onClick={() => signOut()}>
          Sign out
        </button>
      </main>
    );
  }
  if (!data)
    return (
      <p className="page" aria-busy="true">
        Loading…
      </p>
    );
  return <Shell viewer={data.viewer} signOut={() => signOut()} />;
}
