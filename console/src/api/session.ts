/**
 * The signed-in credential: an API key pasted at sign-in or the token single sign-on obtained,
 * kept in sessionStorage (this tab only, gone when it closes; never localStorage, which every tab
 * and every later visit would share).
 */
const KEY = 'modelgraph.console.token';
const KIND = 'modelgraph.console.token-kind';

/** How the person signed in: a pasted key, or single sign-on. */
export type CredentialKind = 'key' | 'sso';

export function storedToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function storedKind(): CredentialKind {
  return sessionStorage.getItem(KIND) === 'sso' ? 'sso' : 'key';
}

export function storeToken(token: string, kind: CredentialKind = 'key'): void {
  sessionStorage.setItem(KEY, token);
  sessionStorage.setItem(KIND, kind);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(KIND);
}

const ended = new Set<() => void>();

/** Calls `listener` when the gateway refuses the credential (revoked, expired); returns the undo. */
export function onCredentialRefused(listener: () => void): () => void {
  ended.add(listener);
  return () => ended.delete(listener);
}

/** The gateway answered UNAUTHENTICATED to a request that carried the stored credential. */
export function credentialRefused(): void {
  for (const listener of [...ended]) listener();
}
