import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { Principal } from '../../lib/auth/principal.js';
import { createServiceClient, type ServiceClient } from '../../lib/service-client.js';
import { errorsOf } from '../../test/support/error-summary.js';
import { expectNoErrors } from '../../test/support/graphql-client.js';
import { orgAdmin, teamKey, teamUser } from '../../test/support/identities.js';
import { STORE_MODES } from '../../test/support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../test/support/timeouts.js';
import { startWallet, type RunningWallet } from '../../test/support/wallet-subgraph.js';
import { createWalletClient, type WalletClient } from '../inference/clients/wallet-client.js';

const inference: Principal = {
  id: 'service:inference',
  kind: 'SERVICE',
  orgId: 'default',
  roles: [],
  scopes: ['wallet:hold'],
  teams: [],
};
const usage = { inputTokens: 3, outputTokens: 4, modelId: 'acme/model', priceVersion: 1 };
const SPEND = `mutation($spends: [HoldSpendInput!]!) {
  spendFromHolds(spends: $spends) { id amount excessAmount owedAmount }
}`;
interface Spent {
  spendFromHolds: Array<{
    id: string;
    amount: string;
    excessAmount: string;
    owedAmount: string;
  } | null>;
}

describe.each(STORE_MODES)('Mutation.spendFromHolds (%s stores)', (mode) => {
  let wallet: RunningWallet;
  let client: ServiceClient;
  let walletClient: WalletClient;
  beforeAll(async () => {
    wallet = await startWallet(mode);
    client = createServiceClient({ signer: wallet.keys.signer, principal: inference });
    walletClient = createWalletClient({ client, walletUrl: wallet.subgraph.url });
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await client?.close();
    await wallet?.stop();
  });

  const funded = async (amount: bigint) => {
    const teamId = randomUUID();
    await wallet.ledger.grant({ walletId: teamId, amount, idempotencyKey: 'g', actor: 'test' });
    return teamId;
  };
  const lease = (teamId: string, amount: bigint) =>
    wallet.ledger.authorizeHold({
      walletId: teamId,
      amount,
      idempotencyKey: randomUUID(),
      expiresInSeconds: 60,
      actor: 'test',
    });
  const entry = (holdId: string, amount: string) => ({
    holdId,
    amount,
    idempotencyKey: randomUUID(),
    usage,
  });

  it("answers the inference's wallet client: a lease with a minimum, spends answered one by one", async () => {
    const teamId = await funded(1000n);
    const held = await walletClient.authorize({
      teamId,
      amount: 5000n,
      minimumAmount: 100n,
      idempotencyKey: 'lease-1',
      ttlSeconds: 60,
      metadata: { modelId: 'acme/model', priceVersion: 1, requestId: 'r1', runId: 'run-1' },
      requestId: 'r1',
    });
    expect(held).toMatchObject({ status: 'PENDING', amount: '1000' });

    const unknown = randomUUID();
    const request = (holdId: string, amount: bigint) => ({
      holdId,
      amount,
      idempotencyKey: randomUUID(),
      usage,
    });
    const answers = await walletClient.spend(
      [request(held.id, 300n), request(unknown, 10n), request(held.id, 800n)],
      'r2',
    );
    expect(answers[0]).toEqual({
      id: expect.any(String),
      amount: '300',
      excessAmount: '0',
      owedAmount: '0',
    });
    expect(answers[1]).toBeInstanceOf(GraphQLError);
    expect((answers[1] as GraphQLError).extensions).toMatchObject({
      code: 'NOT_FOUND',
      id: unknown,
    });
    // 700 was left in the lease; the 100 beyond it is owed, since the lease held every credit.
    expect(answers[2]).toMatchObject({ amount: '800', excessAmount: '100', owedAmount: '100' });

    const [after] = await wallet.ledger.reads.holdsByIds([held.id]);
    expect(after).toMatchObject({ status: 'PENDING', amount: 1000n, spentAmount: 1000n });
    expect(await walletClient.void(held.id, 'r3')).toMatchObject({ status: 'VOIDED' });
    const [balance] = await wallet.ledger.reads.balances([teamId]);
    expect(balance).toMatchObject({ posted: 0n, held: 0n, owed: 100n });
  });

  it('charges spends within their hold with one statement per batch and no reads', async () => {
    const teamId = await funded(10_000n);
    const held = await lease(teamId, 5000n);
    wallet.db.statements.length = 0;
    const spends = Array.from({ length: 10 }, () => entry(held.id, '100'));
    const response = await wallet.subgraph.as(inference)<Spent>(SPEND, { variables: { spends } });
    expect(expectNoErrors(response).spendFromHolds.map((s) => s?.amount)).toEqual(
      Array(10).fill('100'),
    );
    // The first spend runs at once; the nine that arrive meanwhile share the next statement.
    expect(wallet.db.statements).toHaveLength(2);
    expect(wallet.db.statements.every((sql) => sql.includes("'SPEND'"))).toBe(true);
    const [after] = await wallet.ledger.reads.holdsByIds([held.id]);
    expect(after?.spentAmount).toBe(1000n);
  });

  it('refuses a bad entry on its own and charges the others', async () => {
    const teamId = await funded(1000n);
    const held = await lease(teamId, 500n);
    const spends = [entry(held.id, '10'), entry('not-a-uuid', '10'), entry(held.id, '0')];
    spends.push(entry(held.id, '20'));
    const response = await wallet.subgraph.as(inference)<Spent>(SPEND, { variables: { spends } });
    expect(response.body.data?.spendFromHolds.map((s) => s?.amount ?? null)).toEqual([
      '10',
      null,
      null,
      '20',
    ]);
    expect(errorsOf(response)).toEqual([
      { code: 'BAD_USER_INPUT', path: ['spendFromHolds', 1], field: 'holdId' },
      { code: 'BAD_USER_INPUT', path: ['spendFromHolds', 2], field: 'amount' },
    ]);
  });

  it('refuses an empty list or one of more than 256 spends as a whole', async () => {
    const teamId = await funded(1000n);
    const held = await lease(teamId, 500n);
    for (const spends of [[], Array.from({ length: 257 }, () => entry(held.id, '1'))]) {
      const response = await wallet.subgraph.as(inference)<Spent>(SPEND, { variables: { spends } });
      expect(response.body.data).toBeNull();
      expect(errorsOf(response)).toEqual([
        { code: 'BAD_USER_INPUT', path: ['spendFromHolds'], field: 'spends' },
      ]);
    }
    expect((await wallet.ledger.reads.holdsByIds([held.id]))[0]?.spentAmount).toBe(0n);
  });

  it('lets only platform services (and organization admins) spend', async () => {
    const teamId = await funded(1000n);
    const held = await lease(teamId, 500n);
    const callers = [teamUser(teamId, 'OWNER'), teamKey(teamId, ['wallet:read', 'wallet:admin'])];
    for (const caller of callers) {
      const response = await wallet.subgraph.as(caller)<Spent>(SPEND, {
        variables: { spends: [entry(held.id, '10')] },
      });
      expect(response.body.data).toBeNull();
      expect(errorsOf(response).map((e) => e.code)).toEqual(['FORBIDDEN']);
    }
    expect((await wallet.ledger.reads.holdsByIds([held.id]))[0]?.spentAmount).toBe(0n);
    const admin = await wallet.subgraph.as(orgAdmin())<Spent>(SPEND, {
      variables: { spends: [entry(held.id, '10')] },
    });
    expect(expectNoErrors(admin).spendFromHolds[0]?.amount).toBe('10');
  });
});
