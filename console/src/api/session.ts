/**
 * The signed-in credential: an API key pasted at sign-in, kept in sessionStorage (this tab only,
 * gone when it closes; never localStorage, which every tab and every later visit would share).
 */
const KEY = 'modelgraph.console.token';

export function storedToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function storeToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}
