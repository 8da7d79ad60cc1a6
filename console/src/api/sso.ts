/**
 * Sign-in through the organization's identity provider: OpenID Connect's Authorization Code flow
 * with PKCE (RFC 7636, S256), the console being a public client with no secret (decision 94).
 * The verifier, state and nonce live in this tab's sessionStorage between the redirect and the
 * callback, and are used once.
 */
import { BASE } from '../router';

/** What GET /console/config.json says about SSO (gateway/auth/console-sign-in.ts). */
export interface SsoSettings {
  status: 'available';
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  clientId: string;
  scopes: string;
  redirectUri: string | null;
  audience: string;
}
export type SsoOffer = null | { status: 'unavailable' } | SsoSettings;

interface Pending {
  state: string;
  nonce: string;
  verifier: string;
  redirectUri: string;
  tokenEndpoint: string;
  clientId: string;
  audience: string;
  openid: boolean;
}

const PENDING = 'modelgraph.console.sso';
export const CALLBACK_ROUTE = 'callback';

/** A sign-in that did not complete, with the sentence the sign-in screen shows. */
export class SsoError extends Error {}

/** How this console may sign in; without an answer, only with a key. */
export async function ssoOffer(): Promise<SsoOffer> {
  try {
    const response = await fetch(`${BASE}config.json`, { headers: { accept: 'application/json' } });
    if (!response.ok) return null;
    return ((await response.json()) as { sso: SsoOffer }).sso;
  } catch {
    return null;
  }
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function random(bytes: number): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** Leaves for the identity provider's sign-in page; the answer comes back to /console/callback. */
export async function startSso(settings: SsoSettings): Promise<void> {
  if (!crypto.subtle) {
    throw new SsoError('Single sign-on needs the console to be served over HTTPS.');
  }
  // 48 random bytes: a 64-character verifier, within RFC 7636's 43–128.
  const verifier = random(48);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  const pending: Pending = {
    state: random(16),
    nonce: random(16),
    verifier,
    redirectUri: settings.redirectUri ?? `${window.location.origin}${BASE}${CALLBACK_ROUTE}`,
    tokenEndpoint: settings.tokenEndpoint,
    clientId: settings.clientId,
    audience: settings.audience,
    openid: settings.scopes.split(/\s+/).includes('openid'),
  };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(settings.authorizationEndpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', settings.clientId);
  url.searchParams.set('redirect_uri', pending.redirectUri);
  url.searchParams.set('scope', settings.scopes);
  url.searchParams.set('state', pending.state);
  url.searchParams.set('nonce', pending.nonce);
  url.searchParams.set('code_challenge', base64url(new Uint8Array(digest)));
  url.searchParams.set('code_challenge_method', 'S256');
  window.location.assign(url.href);
}

/** Whether this page is the identity provider's answer. */
export function isSsoCallback(): boolean {
  const params = new URLSearchParams(window.location.search);
  return (
    window.location.pathname.replace(/\/+$/, '') === `${BASE}${CALLBACK_ROUTE}` &&
    (params.has('code') || params.has('error'))
  );
}

/** A JWT's claims, read without checking the signature: the gateway checks it on every request. */
function claimsOf(jwt: unknown): Record<string, unknown> | null {
  if (typeof jwt !== 'string') return null;
  try {
    const part = jwt.split('.')[1] ?? '';
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch {
    return null;
  }
}

function isFor(jwt: unknown, audience: string): jwt is string {
  const aud = claimsOf(jwt)?.aud;
  return aud === audience || (Array.isArray(aud) && aud.includes(audience));
}

const DENIED: Record<string, string> = {
  access_denied: 'Sign-in was cancelled or refused at your identity provider.',
  login_required: 'Your identity provider asks you to sign in again.',
  consent_required: 'Your identity provider needs your consent for the console.',
};

/**
 * The bearer token for the gateway from the identity provider's answer in `search`: checks the
 * state, exchanges the code (with the verifier) at the token endpoint, checks the id token's
 * nonce, and keeps the token whose audience the gateway accepts. Throws SsoError.
 */
async function exchange(search: string): Promise<string> {
  const params = new URLSearchParams(search);
  const raw = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  const pending = raw ? (JSON.parse(raw) as Pending) : null;
  const error = params.get('error');
  if (error) {
    // The provider's own description is not shown: anyone can craft this link.
    throw new SsoError(
      DENIED[error] ??
        `Your identity provider refused the sign-in (${/^[a-z_]{1,40}$/.test(error) ? error : 'error'}).`,
    );
  }
  if (!pending) {
    throw new SsoError('This sign-in was not started in this tab, or has already completed.');
  }
  if (params.get('state') !== pending.state) {
    throw new SsoError(
      'The sign-in answer does not match the request this tab sent (state mismatch).',
    );
  }
  let response: Response;
  try {
    response = await fetch(pending.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: params.get('code') ?? '',
        redirect_uri: pending.redirectUri,
        client_id: pending.clientId,
        code_verifier: pending.verifier,
      }),
    });
  } catch {
    throw new SsoError('Your identity provider could not be reached to complete the sign-in.');
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const code = typeof body.error === 'string' && /^[a-z_]{1,40}$/.test(body.error);
    throw new SsoError(
      `Your identity provider refused to complete the sign-in (${code ? String(body.error) : `HTTP ${response.status}`}).`,
    );
  }
  if (pending.openid || body.id_token !== undefined) {
    if (claimsOf(body.id_token)?.nonce !== pending.nonce) {
      throw new SsoError('The identity token is not for this sign-in (nonce mismatch).');
    }
  }
  if (isFor(body.access_token, pending.audience)) return body.access_token;
  if (isFor(body.id_token, pending.audience)) return body.id_token;
  throw new SsoError(
    `Your identity provider's tokens are not for this platform (none has audience "${pending.audience}"). Ask your administrator.`,
  );
}

let completing: Promise<string> | undefined;

/**
 * Completes the sign-in this page is the answer to, once (a second render shares the first's
 * outcome), and takes the code and state out of the address bar and history.
 */
export function completeSso(): Promise<string> {
  if (!completing) {
    completing = exchange(window.location.search);
    window.history.replaceState(null, '', BASE);
  }
  return completing;
}
