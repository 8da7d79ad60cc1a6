import { randomUUID } from 'node:crypto';
import { errorsOf } from '../../test/support/error-summary.js';
import { expectNoErrors } from '../../test/support/graphql-client.js';
import { orgAdmin, teamKey } from '../../test/support/identities.js';
import { STORE_MODES } from '../../test/support/test-env.js';
import { startWallet, type RunningWallet } from '../../test/support/wallet-subgraph.js';
import { STACK_START_TIMEOUT_MS } from '../../test/support/timeouts.js';

const WALLETS = `query($r: [_Any!]!) {
  _entities(representations: $r) { ... on Wallet { id balance { available held posted } } }
}`;
const TEAMS = `query($r: [_Any!]!) {
  _entities(representations: $r) { ... on Team { id wallet { id balance { available } } } }
}`;

interface EntityWallet {
  id: string;
  balance: { available: string; held?: string; posted?: string };
}
interface EntityTeam {
  id: string;
  wallet: EntityWallet;
}
type Entities<E> = { _entities: Array<E | null> };

const refs = (typename: 'Wallet' | 'Team', ids: string[]) =>
  ids.map((id) => ({ __typename: typename, id }));

describe.each(STORE_MODES)('wallet _entities under shield (%s stores)', (mode) => {
  let wallet: RunningWallet;
  const [teamA, teamB] = [randomUUID(), randomUUID()];
  const owner = () => wallet.subgraph.as(teamKey(teamA, ['wallet:read']));
  const otherTeam = () => wallet.subgraph.as(teamKey(teamB, ['wallet:read']));
  const noScope = () => wallet.subgraph.as(teamKey(teamA, ['models:read']));
  /** SQL statements since the last reset that contain `fragment`. */
  const statements = (fragment: string) =>
    wallet.db.statements.filter((sql) => sql.includes(fragment)).length;

  beforeAll(async () => {
    wallet = await startWallet(mode);
    for (const [team, amount] of [
      [teamA, 5000n],
      [teamB, 700n],
    ] as const) {
      await wallet.ledger.grant({ walletId: team, amount, idempotencyKey: 'g', actor: 'test' });
    }
  }, STACK_START_TIMEOUT_MS);
  beforeEach(() => {
    wallet.db.statements.length = 0;
  });
  afterAll(async () => {
    await wallet?.stop();
  });

  it('resolves a Wallet reference for its own team', async () => {
    const response = await owner()<Entities<EntityWallet>>(WALLETS, {
      variables: { r: refs('Wallet', [teamA]) },
    });
    expect(expectNoErrors(response)._entities).toEqual([
      { id: teamA, balance: { available: '5000', held: '0', posted: '5000' } },
    ]);
  });

  it('resolves a Team reference to its wallet for its own team', async () => {
    const response = await owner()<Entities<EntityTeam>>(TEAMS, {
      variables: { r: refs('Team', [teamA]) },
    });
    expect(expectNoErrors(response)._entities).toEqual([
      { id: teamA, wallet: { id: teamA, balance: { available: '5000' } } },
    ]);
  });

  it.each([
    ['another team', () => otherTeam()],
    ['the owning team without wallet:read', () => noScope()],
  ])('refuses Wallet and Team references to %s, and leaks no figure', async (_who, as) => {
    for (const [query, typename] of [
      [WALLETS, 'Wallet'],
      [TEAMS, 'Team'],
    ] as const) {
      const response = await as()<Entities<EntityWallet | EntityTeam>>(query, {
        variables: { r: refs(typename, [teamA]) },
      });
      expect(errorsOf(response).map((e) => e.code)).toEqual(['FORBIDDEN']);
      expect(JSON.stringify(response.body)).not.toContain('5000');
    }
  });

  it('answers each reference of a mixed batch by its own team: the owned one only', async () => {
    const response = await owner()<Entities<EntityWallet>>(WALLETS, {
      variables: { r: refs('Wallet', [teamB, teamA]) },
    });
    expect(response.body.data?._entities).toEqual([
      null,
      { id: teamA, balance: { available: '5000', held: '0', posted: '5000' } },
    ]);
    const errors = errorsOf(response);
    expect(errors.map((e) => [e.code, ...(e.path ?? []).slice(0, 2)])).toEqual([
      ['FORBIDDEN', '_entities', 0],
    ]);
  });

  it('loads a batch of Wallet references (unknown teams: zeros) with one accounts query', async () => {
    const ids = [teamA, teamB, randomUUID(), randomUUID()];
    const response = await wallet.subgraph.as(orgAdmin())<Entities<EntityWallet>>(WALLETS, {
      variables: { r: refs('Wallet', ids) },
    });
    const entities = expectNoErrors(response)._entities;
    expect(entities.map((w) => [w?.id, w?.balance.available])).toEqual([
      [teamA, '5000'],
      [teamB, '700'],
      [ids[2], '0'],
      [ids[3], '0'],
    ]);
    expect(statements('FROM accounts WHERE id = ANY')).toBe(1);
  });

  it('loads the wallets of a batch of Team references with one accounts query', async () => {
    const response = await wallet.subgraph.as(orgAdmin())<Entities<EntityTeam>>(TEAMS, {
      variables: { r: refs('Team', [teamA, teamB]) },
    });
    const entities = expectNoErrors(response)._entities;
    expect(entities.map((t) => t?.wallet.balance.available)).toEqual(['5000', '700']);
    expect(statements('FROM accounts WHERE id = ANY')).toBe(1);
  });
});
