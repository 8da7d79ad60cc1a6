import { expectLedgerInvariants } from '../../support/ledger-invariants.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLocalAdapter } from '../../../subgraphs/inference/providers/local/local-adapter.js';
import type { ProviderAdapter } from '../../../subgraphs/inference/providers/types.js';
import { eventually } from '../../support/eventually.js';
import { expectNoErrors } from '../../support/graphql-client.js';
import { createCallingTeam, GENERATE, type CallingTeam } from '../../support/inference-setup.js';
import { startStack, TEST_ADMIN_KEY, type Stack } from '../../support/stack.js';
import { STORE_MODES } from '../../support/test-env.js';
import { typed } from '../../support/typed-document.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';

const CALLS = 50;
const AFFORDABLE = 6;
const GRANT = `mutation($w: ID!, $a: Micros!, $k: String!) {
  grantCredits(walletId: $w, amount: $a, idempotencyKey: $k) { id } }`;
const HOLDS = typed<{ team: { wallet: { holds: Array<{ amount: string }> } } }, { id: string }>(
  `query($id: ID!) { team(id: $id) { wallet { holds(first: 100) { amount } } } }`,
);
// Every call is the same request, so every hold is the same size as the probe's.
const REQUEST = {
  i: {
    model: 'local/echo-chat',
    messages: [{ role: 'USER', content: 'Spend exactly what the wallet holds, not a credit more' }],
    maxTokens: 16,
  },
};

/**
 * The built-in local provider, counting chat calls; while `hold()` is in force, calls wait until
 * `release()`, so every call of a burst has tried its wallet hold before any is captured.
 */
function gatedLocalProvider() {
  const local = createLocalAdapter();
  let chats = 0;
  let gate: Promise<void> = Promise.resolve();
  let open = () => {};
  const adapter: ProviderAdapter = {
    ...local,
    kind: local.kind,
    async chat(request, options) {
      chats += 1;
      await gate;
      return local.chat(request, options);
    },
  };
  return {
    adapter,
    chats: () => chats,
    hold() {
      gate = new Promise((resolve) => (open = resolve));
    },
    release: () => open(),
  };
}

// Behaved well in the audit (issue "Every micro-credit right", item 9); kept as a test.
describe.each(STORE_MODES)('50 calls at once on a wallet that affords 6 (%s stores)', (mode) => {
  const provider = gatedLocalProvider();
  let stack: Stack;
  let team: CallingTeam;
  let hold: bigint;

  beforeAll(async () => {
    stack = await startStack({ mode, inference: { localProvider: provider.adapter } });
    // The hold's size comes from the platform itself: one probe call by another team, with an
    // idempotency key so that it takes a hold of its own (the burst's calls share a credit lease).
    const probe = await createCallingTeam(stack, { name: 'Probe' });
    expectNoErrors(
      await probe.call(GENERATE, { i: { ...REQUEST.i, idempotencyKey: 'probe-the-hold-size' } }),
    );
    const { holds } = expectNoErrors(await probe.call(HOLDS, { id: probe.teamId })).team.wallet;
    expect(holds).toHaveLength(1);
    hold = BigInt(holds[0].amount);
    expect(hold).toBeGreaterThan(0n);

    team = await createCallingTeam(stack, { name: 'Exactly six', credits: '0' });
    expectNoErrors(
      await stack.request(GRANT, {
        token: TEST_ADMIN_KEY,
        variables: { w: team.teamId, a: String(hold * BigInt(AFFORDABLE)), k: 'exactly-six' },
      }),
    );
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    provider.release();
    await stack?.stop();
  });

  it('lets exactly 6 through, refuses 44 with INSUFFICIENT_FUNDS, and never overdraws', async () => {
    const chatsBefore = provider.chats();
    provider.hold();
    let refused = 0;
    let done = false;
    const burst = Promise.all(
      Array.from({ length: CALLS }, async () => {
        const response = await team.call(GENERATE, REQUEST);
        if (response.body.errors) refused += 1;
        return response;
      }),
    ).finally(() => (done = true));

    // The balance, read while the burst runs: it must never go below zero.
    const lowest = (async () => {
      let min = hold * BigInt(AFFORDABLE);
      while (!done) {
        const { available } = await team.balance();
        if (BigInt(available) < min) min = BigInt(available);
        await sleep(50);
      }
      return min;
    })();

    // Let the calls that got a hold reach the provider only once every call has tried its hold.
    await eventually(
      'every call has either reached the provider or been refused',
      () => (provider.chats() - chatsBefore + refused >= CALLS ? true : undefined),
      { timeoutMs: 20_000, intervalMs: 20 },
    ).finally(() => provider.release());
    const responses = await burst;

    const succeeded = responses.filter((r) => !r.body.errors);
    const codes = responses.flatMap((r) => (r.body.errors ?? []).map((e) => e.extensions?.code));
    expect(succeeded).toHaveLength(AFFORDABLE);
    expect(codes).toEqual(Array(CALLS - AFFORDABLE).fill('INSUFFICIENT_FUNDS'));
    expect(provider.chats() - chatsBefore).toBe(AFFORDABLE);

    expect(await lowest).toBeGreaterThanOrEqual(0n);
    const charged = succeeded.reduce((sum, r) => sum + BigInt(r.body.data!.generate.cost), 0n);
    const balance = await team.settledBalance();
    expect(BigInt(balance.available)).toBe(hold * BigInt(AFFORDABLE) - charged);
    await expectLedgerInvariants(stack.dbs.wallet);
  }, 60_000);
});
