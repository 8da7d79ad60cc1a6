import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { INTERNAL_TOKEN_HEADER } from '../../lib/auth/internal-token.js';
import type { Principal } from '../../lib/auth/principal.js';
import { expectNoErrors, type ResponseError } from './graphql-client.js';
import type { Stack } from './stack.js';
import { typed } from './typed-document.js';

export interface CreatedKey {
  secret: string;
  apiKey: {
    id: string;
    prefix: string;
    scopes: string[];
    createdBy: string;
    expiresAt: string | null;
  };
}

export const CREATE_API_KEY = typed<
  { createApiKey: CreatedKey },
  { input: KeyInput }
>(`mutation CreateKey($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { secret apiKey { id prefix scopes createdBy expiresAt } }
}`);

export const REVOKE_API_KEY = typed<
  { revokeApiKey: { id: string; revokedAt: string } },
  { id: string }
>(`mutation RevokeKey($id: ID!) {
  revokeApiKey(id: $id) { id revokedAt }
}`);

export interface KeyInput {
  teamId: string;
  scopes: string[];
  name?: string;
  expiresAt?: string;
}

/** Creates an API key through the GraphQL mutation, as `token`; fails on any error. */
export async function createKeyAs(
  stack: Stack,
  token: string,
  input: KeyInput,
): Promise<{ id: string; secret: string; prefix: string; createdBy: string }> {
  const data = expectNoErrors(
    await stack.request(CREATE_API_KEY, {
      token,
      variables: { input: { name: 'e2e key', ...input } },
    }),
  );
  const { secret, apiKey } = data.createApiKey;
  return { id: apiKey.id, secret, prefix: apiKey.prefix, createdBy: apiKey.createdBy };
}

/** Shaped like a real key (so it reaches the key store), but never issued. */
export function unissuedApiKey(): string {
  return `mg_${randomBytes(24).toString('base64url')}`;
}

export interface CapturedToken {
  /** The path the gateway posted to: `/graphql` (a subgraph) or `/internal/...` (policy). */
  path: string;
  token: string;
  principal: Principal;
}

/**
 * The internal tokens the gateway sends while serving one request made with `credential`. The
 * stack keeps its signing key to itself, so the test reads them off the gateway's outgoing calls:
 * over HTTP its subgraph fetchers call the global `fetch` at call time, in this process, and its
 * service client (policy's key store) goes through the stack's watched dispatcher; in process
 * (lib/http/local-routes.ts) both go through the stack's watched route table.
 */
export async function captureInternalTokens(
  stack: Stack,
  credential: string,
): Promise<CapturedToken[]> {
  const original = globalThis.fetch;
  const captured: CapturedToken[] = [];
  const capture = (path: string, token: string | null | undefined) => {
    if (!token) return;
    const principal = decodeJwt(token).principal as Principal;
    captured.push({ path, token, principal });
  };
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    capture(new URL(url).pathname, new Headers(init?.headers).get(INTERNAL_TOKEN_HEADER));
    return original(input, init);
  }) as typeof fetch;
  const unwatch = stack.serviceCalls.watch({
    onRequest: (call) => capture(call.path, call.headers[INTERNAL_TOKEN_HEADER]),
  });
  try {
    expectNoErrors(await stack.request('{ viewer { id } }', { token: credential }));
  } finally {
    globalThis.fetch = original;
    unwatch();
  }
  return captured;
}

/** A GraphQL-shaped answer, as postJson() reads it unless told the body's type. */
export interface PostedBody {
  data?: unknown;
  errors?: ResponseError[];
}

/** Posts a raw body to a subgraph (or any) URL, with optional extra headers; parses JSON. */
export async function postJson<B = PostedBody>(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: B }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as B };
  } catch {
    throw new Error(`Non-JSON response (${response.status}): ${text.slice(0, 500)}`);
  }
}
