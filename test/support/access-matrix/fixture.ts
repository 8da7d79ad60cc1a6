import { createKeyAs, REVOKE_API_KEY } from '../api-keys.js';
import { clockPasses } from '../eventually.js';
import { paidPurchase } from '../billing-purchases.js';
import { expectNoErrors } from '../graphql-client.js';
import { createPaymentProvider } from '../../../subgraphs/billing/service/payment-provider.js';
import { startStack, TEST_ADMIN_KEY, type Stack } from '../stack.js';
import { startStripeEmulator } from '../stripe-emulator.js';
import { startTestIdentityProvider, type TestIdentityProvider } from '../test-identity-provider.js';
import type { StoreMode } from '../test-env.js';
import { typed } from '../typed-document.js';
import {
  ADD_MEMBER,
  CHECKOUT,
  asAdmin,
  fresh,
  GRANT,
  HOLD,
  OPERATIONS,
  REGISTER_MODEL,
  SET_MODEL_ACCESS,
  type Fixture,
} from './operations.js';

// prettier-ignore
export const PRINCIPALS = [
  'org admin', 'OWNER', 'ADMIN', 'MEMBER', 'VIEWER', 'key (all scopes)', 'key (models:read)',
  'other-team ADMIN', 'revoked key', 'expired key',
] as const;
export type PrincipalName = (typeof PRINCIPALS)[number];

const CAPTURES = typed<{ wallet: { transactions: { edges: Array<{ node: { id: string } }> } } }>(
  `query($w: ID!) { wallet(id: $w) { transactions(filter: { kinds: [CAPTURE] }) {
        edges { node { id } } } } }`,
);

/**
 * A stack whose gateway trusts a test identity provider, and a signer of its user tokens; billing
 * talks to a Stripe emulator (its webhooks reach the gateway once `paidPurchase` buys the
 * refund rows' purchase).
 */
async function startOidcStack(mode: StoreMode, idp: TestIdentityProvider) {
  const emulator = await startStripeEmulator();
  const stack = await startStack({
    mode,
    gateway: { oidc: idp.oidc },
    billing: {
      provider: createPaymentProvider({
        secretKey: 'sk_test_matrix',
        webhookSecret: emulator.signingSecret,
        apiUrl: emulator.url,
        testMode: true,
        maxNetworkRetries: 0,
      }),
    },
  });
  const userToken = (sub: string) => idp.token(sub, { expiresIn: '10m' });
  return { stack, userToken, emulator };
}

/**
 * Team A's keys: one with every scope, one read-only, one revoked and one expired (both cached).
 * The expired key lives a few seconds and is used as soon as it exists: a busy CI machine once took
 * longer than a 1.5 s life to create the other keys, so the key had expired before its first use.
 * The rest of the set-up runs while its clock runs down.
 */
async function createKeys(stack: Stack, teamA: string, fixture: Fixture) {
  const expiresAt = Date.now() + 5000;
  const keyInput = { teamId: teamA, scopes: ['models:read'] };
  const expired = await createKeyAs(stack, TEST_ADMIN_KEY, {
    ...keyInput,
    expiresAt: new Date(expiresAt).toISOString(),
  });
  // Used once while valid, so expiry (and below, revocation) must overturn a cached principal.
  expectNoErrors(await stack.request('{ viewer { id } }', { token: expired.secret }));
  const readKey = await createKeyAs(stack, TEST_ADMIN_KEY, keyInput);
  const revoked = await createKeyAs(stack, TEST_ADMIN_KEY, keyInput);
  expectNoErrors(await stack.request('{ viewer { id } }', { token: revoked.secret }));
  await asAdmin(fixture, REVOKE_API_KEY, { id: revoked.id });
  return { expiresAt, expired, readKey, revoked };
}

/** Team A's wallet with credits, a captured hold, two open holds and a budget; a model; a rule. */
async function createTargets(fixture: Fixture, teamA: string) {
  await asAdmin(fixture, GRANT, { w: teamA, k: 'matrix-grant' });
  const hold = async (k = fresh()) =>
    (await asAdmin(fixture, HOLD, { w: teamA, k })).authorizeHold.id;
  const captured = await hold('matrix-captured');
  await asAdmin(fixture, OPERATIONS.captureHold!.query, { h: captured, k: fresh() });
  const { wallet } = await asAdmin(fixture, CAPTURES, { w: teamA });
  Object.assign(fixture, {
    holdToCapture: await hold(),
    holdToVoid: await hold(),
    captureId: wallet.transactions.edges[0]!.node.id,
    modelId: (await asAdmin(fixture, REGISTER_MODEL, { id: `openai/matrix-${fresh()}` }))
      .registerModel.id,
  });
  fixture.ruleToRemove = (
    await asAdmin(fixture, SET_MODEL_ACCESS, { t: teamA, v: `t${fresh()}` })
  ).setModelAccess.id;
  // A budget to read in the 'team wallet budget' row (null would hide a missing field).
  await asAdmin(fixture, OPERATIONS.setBudget!.query, { w: teamA });
  // A purchase to read in the 'purchase' row.
  fixture.purchaseId = (
    await asAdmin(fixture, CHECKOUT, { t: teamA, k: fresh() })
  ).createCheckout.purchase.id;
}

/**
 * Everything the matrix's rows and columns need: the fixture (team A and its targets) and a token
 * per principal, returned once the expired key has expired.
 */
export async function startMatrix(mode: StoreMode) {
  const idp = await startTestIdentityProvider();
  const { stack, userToken, emulator } = await startOidcStack(mode, idp);
  const tokens = {} as Record<PrincipalName, string>;
  const { teamId: teamA, key: allKey } = await stack.createTeamWithKey('Team A', [
    'models:read',
    'inference:invoke',
    'wallet:read',
    'wallet:admin',
    'policy:admin',
  ]);
  const fixture = { stack, teamA } as Fixture;
  const { expiresAt, expired, readKey, revoked } = await createKeys(stack, teamA, fixture);

  const { teamId: teamB } = await stack.createTeamWithKey('Team B', ['models:read']);
  const people = {
    ...{ OWNER: ['OWNER', teamA], ADMIN: ['ADMIN', teamA], MEMBER: ['MEMBER', teamA] },
    ...{ VIEWER: ['VIEWER', teamA], 'other-team ADMIN': ['ADMIN', teamB] },
  } as const;
  for (const [name, [role, teamId]] of Object.entries(people)) {
    const userId = `${role.toLowerCase()}-of-${teamId}`;
    await asAdmin(fixture, ADD_MEMBER, { input: { teamId, userId, role } });
    tokens[name as PrincipalName] = await userToken(userId);
  }

  await createTargets(fixture, teamA);
  fixture.paidPurchaseId = await paidPurchase(stack, emulator, teamA);
  Object.assign(tokens, {
    'org admin': TEST_ADMIN_KEY,
    'key (all scopes)': allKey,
    'key (models:read)': readKey.secret,
    'revoked key': revoked.secret,
    'expired key': expired.secret,
  });
  await clockPasses(expiresAt + 100);
  return {
    fixture,
    tokens,
    stop: async () => {
      await stack.stop();
      await emulator.close();
      await idp.close();
    },
  };
}
