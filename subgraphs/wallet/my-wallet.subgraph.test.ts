import { randomUUID } from 'node:crypto';
import type { Principal } from '../../lib/auth/principal.js';
import { onlyError } from '../../test/support/error-summary.js';
import { expectNoErrors, type GraphQLResponse } from '../../test/support/graphql-client.js';
import { orgAdmin, teamKey } from '../../test/support/identities.js';
import { STORE_MODES } from '../../test/support/test-env.js';
import { memberOf, startWallet, type RunningWallet } from '../../test/support/wallet-subgraph.js';
import { STACK_START_TIMEOUT_MS } from '../../test/support/timeouts.js';

const MY_WALLET = `query($teamId: ID) { myWallet(teamId: $teamId) {
  id balance { available held posted }
  transactions(first: 5) { edges { node { kind amount postedChange } } }
} }`;

interface MyWallet {
  myWallet: {
    id: string;
    balance: { available: string; held: string; posted: string };
    transactions: {
      edges: Array<{ node: { kind: string; amount: string; postedChange: string } }>;
    };
  };
}

describe.each(STORE_MODES)('Query.myWallet (%s stores)', (mode) => {
  let wallet: RunningWallet;
  const [teamA, teamB] = [randomUUID(), randomUUID()];
  const myWallet = (principal: Principal, teamId?: string): Promise<GraphQLResponse<MyWallet>> =>
    wallet.subgraph.as(principal)<MyWallet>(MY_WALLET, { variables: { teamId } });

  beforeAll(async () => {
    wallet = await startWallet(mode);
    await wallet.ledger.grant({
      walletId: teamA,
      amount: 5000n,
      idempotencyKey: 'g',
      actor: 'test',
    });
    await wallet.ledger.grant({
      walletId: teamB,
      amount: 700n,
      idempotencyKey: 'g',
      actor: 'test',
    });
    const hold = await wallet.ledger.authorizeHold({
      walletId: teamA,
      amount: 300n,
      idempotencyKey: 'h',
      expiresInSeconds: 60,
      actor: 'test',
    });
    await wallet.ledger.captureHold({
      holdId: hold.id,
      amount: 200n,
      idempotencyKey: 'c',
      actor: 'test',
    });
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await wallet?.stop();
  });

  it("answers a key of one team with that team's wallet, balance and last transactions", async () => {
    const data = expectNoErrors(await myWallet(teamKey(teamA, ['wallet:read'])));
    expect(data.myWallet).toEqual({
      id: teamA,
      balance: { available: '4800', held: '0', posted: '4800' },
      transactions: {
        edges: [
          { node: { kind: 'CAPTURE', amount: '200', postedChange: '-200' } },
          { node: { kind: 'HOLD', amount: '300', postedChange: '0' } },
          { node: { kind: 'GRANT', amount: '5000', postedChange: '5000' } },
        ],
      },
    });
  });

  it('takes an explicit teamId for the caller’s own team', async () => {
    const data = expectNoErrors(await myWallet(teamKey(teamA, ['wallet:read']), teamA));
    expect(data.myWallet.id).toBe(teamA);
  });

  it('asks a member of several teams to choose, listing their team ids', async () => {
    const response = await myWallet(memberOf([teamA, teamB]));
    expect(response.body.data).toBeNull();
    expect(onlyError(response)).toEqual({ code: 'BAD_USER_INPUT', field: 'teamId' });
    const error = response.body.errors?.[0];
    expect(error?.extensions?.teamIds).toEqual([teamA, teamB]);
    expect(error?.message).toContain(teamA);
    expect(error?.message).toContain(teamB);
  });

  it('answers a member of several teams who names one', async () => {
    const data = expectNoErrors(await myWallet(memberOf([teamA, teamB]), teamB));
    expect(data.myWallet.balance.available).toBe('700');
  });

  it('says a caller in no team has no wallet of their own (an admin key too)', async () => {
    const response = await myWallet(orgAdmin());
    expect(onlyError(response)).toEqual({ code: 'BAD_USER_INPUT', field: 'teamId' });
    expect(response.body.errors?.[0]?.extensions?.teamIds).toEqual([]);
    expect(response.body.errors?.[0]?.message).toMatch(/no team/);
  });

  it('lets an organization admin name any team', async () => {
    const data = expectNoErrors(await myWallet(orgAdmin(), teamB));
    expect(data.myWallet.id).toBe(teamB);
  });

  it("refuses another team's wallet, as wallet(id:) does", async () => {
    const response = await myWallet(teamKey(teamA, ['wallet:read']), teamB);
    expect(onlyError(response)).toEqual({ code: 'FORBIDDEN' });
    expect(JSON.stringify(response.body)).not.toContain('700');
  });

  it("refuses one's own wallet without wallet:read", async () => {
    const response = await myWallet(teamKey(teamA, ['models:read']));
    expect(onlyError(response)).toEqual({ code: 'FORBIDDEN' });
    expect(JSON.stringify(response.body)).not.toContain('4800');
  });

  it('refuses a teamId that is not a UUID as BAD_USER_INPUT to an admin', async () => {
    expect(onlyError(await myWallet(orgAdmin(), 'nope'))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'teamId',
    });
  });
});
