import { useState } from 'react';
import { GraphQLRequestError } from './api/client';
import { forgetToken, storedToken } from './api/session';
import { ConsoleViewerDocument } from './generated/graphql';
import { Shell } from './shell';
import { SignIn } from './sign-in';
import { useQuery } from './use-query';

/** Signed out: the sign-in form; signed in: the console for whoever the key belongs to. */
export function App() {
  const [token, setToken] = useState(storedToken);
  const [notice, setNotice] = useState<string>();
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

function SignedIn({ signOut }: { signOut: (message?: string) => void }) {
  const { data, error } = useQuery(ConsoleViewerDocument, {});
  if (error instanceof GraphQLRequestError && error.code === 'UNAUTHENTICATED') {
    // The key was revoked or expired since it was pasted: back to the sign-in form.
    queueMicrotask(() => signOut('That key is no longer valid. Sign in again.'));
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
