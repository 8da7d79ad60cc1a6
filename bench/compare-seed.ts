import { randomBytes } from 'node:crypto';
import { request } from 'undici';

/*
 * What every platform in bench:compare serves: the shared emulator registered as a provider with
 * one chat model, and one team that may call it, with one API key, plenty of credits and a quota
 * far above the run (so every call is checked against its limits and admitted). Made through the
 * gateway's admin API, as an operator would, so the same code seeds HEAD and the base.
 */

/** The provider key variable the emulator's provider names (platforms get it set). */
export const EMULATOR_KEY_ENV = { EMU_OPENAI_KEY: 'sk-emulated' };

export interface Seeded {
  /** The calling team's API key. */
  key: string;
  modelId: string;
}

const QUOTA = {
  requestsPerMinute: 1_000_000,
  tokensPerMinute: 1_000_000_000,
  tokensPerDay: 1e12,
  keyRequestsPerMinute: 1_000_000,
  keyTokensPerMinute: 1_000_000_000,
};

async function adminCall<T>(
  gateway: string,
  adminKey: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<T> {
  const response = await request(new URL('/graphql', gateway), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
    body: JSON.stringify({ query, variables }),
  });
  const json = (await response.body.json()) as { data?: T; errors?: unknown };
  if (json.errors || !json.data) {
    throw new Error(`seeding failed: ${query.split('(')[0]}: ${JSON.stringify(json)}`);
  }
  return json.data;
}

/** Seeds the platform behind `gateway` to call the emulator at `emulatorBaseUrl`. */
export async function seedPlatform(
  gateway: string,
  adminKey: string,
  emulatorBaseUrl: string,
): Promise<Seeded> {
  const call = <T>(query: string, variables: Record<string, unknown>) =>
    adminCall<T>(gateway, adminKey, query, variables);
  const tag = randomBytes(3).toString('hex');
  const providerId = `bench-${tag}`;
  await call(`mutation($i: RegisterProviderInput!) { registerProvider(input: $i) { id } }`, {
    i: {
      id: providerId,
      displayName: 'Bench emulator',
      kind: 'OPENAI_COMPATIBLE',
      baseUrl: emulatorBaseUrl,
      apiKeyEnv: Object.keys(EMULATOR_KEY_ENV)[0],
    },
  });
  const modelId = `${providerId}/chat`;
  await call(`mutation($i: RegisterModelInput!) { registerModel(input: $i) { id } }`, {
    i: {
      id: modelId,
      providerId,
      displayName: 'Bench chat',
      capabilities: ['CHAT'],
      contextWindow: 100_000,
      maxOutputTokens: 4096,
      price: { inputPerMillion: '1000000', outputPerMillion: '2000000' },
    },
  });
  const { createTeam } = await call<{ createTeam: { id: string } }>(
    `mutation($i: CreateTeamInput!) { createTeam(input: $i) { id } }`,
    { i: { name: `Bench ${tag}` } },
  );
  const teamId = createTeam.id;
  const { createApiKey } = await call<{ createApiKey: { secret: string } }>(
    `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }`,
    {
      i: { teamId, name: 'bench', scopes: ['models:read', 'inference:invoke', 'wallet:read'] },
    },
  );
  await call(
    `mutation($w: ID!, $a: Micros!, $k: String!) { grantCredits(walletId: $w, amount: $a, idempotencyKey: $k) { id } }`,
    { w: teamId, a: '100000000000', k: `bench-${tag}` },
  );
  await call(`mutation($i: ModelAccessInput!) { setModelAccess(input: $i) { id } }`, {
    i: { teamId, effect: 'ALLOW', subject: 'ANY' },
  });
  await call(`mutation($t: ID!, $q: QuotaInput!) { setQuota(teamId: $t, input: $q) { id } }`, {
    t: teamId,
    q: QUOTA,
  });
  return { key: createApiKey.secret, modelId };
}
