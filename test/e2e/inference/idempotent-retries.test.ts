import { createHash } from 'node:crypto';
import type { Kv } from '../../../lib/kv/index.js';
import { startEmulatedStack, type EmulatedStack } from '../../support/emulated-deployments.js';
import { eventually } from '../../support/eventually.js';
import { expectErrorCode, expectNoErrors } from '../../support/graphql-client.js';
import { GENERATE, type CallingTeam } from '../../support/inference-setup.js';
import { watchMoney } from '../../support/money-probe.js';
import { TEST_ADMIN_KEY, type Stack } from '../../support/stack.js';
import { STORE_MODES } from '../../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const ask = (model: string, idempotencyKey: string) => ({
  i: { model, messages: [{ role: 'USER', content: 'Once only' }], maxTokens: 10, idempotencyKey },
});

/** Fails every write of a finished answer while `failing.on` (a Redis blip after the capture). */
function failingAnswerWrites(failing: { on: boolean }) {
  return (kv: Kv): Kv => ({
    ...kv,
    kind: kv.kind,
    get: (key) => kv.get(key),
    mget: (keys) => kv.mget(keys),
    del: (...keys) => kv.del(...keys),
    incrBy: (key, by, options) => kv.incrBy(key, by, options),
    pttl: (key) => kv.pttl(key),
    ping: () => kv.ping(),
    close: () => kv.close(),
    set: async (key, value, options) => {
      if (failing.on && value.includes('"state":"DONE"')) throw new Error('Connection is closed.');
      return kv.set(key, value, options);
    },
  });
}

/**
 * Idempotency keys that a retry can trust: charged once, answered once, and never refused forever
 * because an earlier run failed, crashed or lost its record.
 */
describe.each(STORE_MODES)('idempotent generate under faults (%s stores)', (mode) => {
  let stack: Stack;
  let team: CallingTeam;
  let deployments: EmulatedStack['deployments'];
  const failing = { on: false };
  const claimKey = (key: string) => `idem:{team:${encodeURIComponent(team.teamId)}}:${sha256(key)}`;

  let emulated: EmulatedStack;
  beforeAll(async () => {
    emulated = await startEmulatedStack(mode, {
      team: 'Retriers',
      settings: {
        attemptsPerTarget: 2,
        attemptTimeoutMs: 5_000,
        retryBaseMs: 5,
        outputTokensPerSecond: 1_000,
        catalogCacheMs: 0,
      },
      wrapInferenceKv: failingAnswerWrites(failing),
    });
    ({ stack, team, deployments } = emulated);
  }, STACK_START_TIMEOUT_MS);
  afterAll(() => emulated?.stop());

  it('a charged answer that cannot be kept for retries still reaches its caller', async () => {
    const chat = await deployments.deploy('kept-or-not');
    const money = await watchMoney(stack, team, [chat.modelId]);
    failing.on = true;
    try {
      const { generate } = expectNoErrors(await team.call(GENERATE, ask(chat.modelId, 'blip-1')));
      expect(generate.chargeStatus).toBe('CHARGED');
      await money.expectAgrees(BigInt(generate.cost));
    } finally {
      failing.on = false;
    }
    expect(chat.emulator.requests).toHaveLength(1);
  });

  it('a key whose run failed can be retried (from another request id): one charge', async () => {
    const flaky = await deployments.deploy('fails-first');
    flaky.emulator.failNext({ status: 500 }, { status: 500 });
    expectErrorCode(await team.call(GENERATE, ask(flaky.modelId, 'retry-me')), 'PROVIDER_ERROR');
    const money = await watchMoney(stack, team, [flaky.modelId]);
    const retry = expectNoErrors(await team.call(GENERATE, ask(flaky.modelId, 'retry-me')));
    await money.expectAgrees(BigInt(retry.generate.cost));
    const again = expectNoErrors(await team.call(GENERATE, ask(flaky.modelId, 'retry-me')));
    expect(again.generate).toEqual(retry.generate);
    expect(flaky.emulator.requests).toHaveLength(3);
  });

  it('a run whose claim was lost: a retry with the same x-request-id waits instead of calling again', async () => {
    const slow = await deployments.deploy('slow-run', { emulator: { latencyMs: 1_000 } });
    const headers = { 'x-request-id': 'reused-request-id-1' };
    const first = stack.request(GENERATE, {
      token: team.key,
      variables: ask(slow.modelId, 'lost-claim'),
      headers,
    });
    await eventually('the provider got the first run', () => slow.emulator.requests[0], {
      timeoutMs: 10_000,
    });
    // The claim's record is gone (a lapse, a failover): only the ledger knows a run is going on.
    await stack.kv.del(claimKey('lost-claim'));
    const second = await stack.request(GENERATE, {
      token: team.key,
      variables: ask(slow.modelId, 'lost-claim'),
      headers,
    });
    const refusal = expectErrorCode(second, 'CONFLICT');
    expect(refusal.extensions!.retryAfterSeconds).toBeGreaterThan(0);
    const { generate } = expectNoErrors(await first);
    const third = expectNoErrors(await team.call(GENERATE, ask(slow.modelId, 'lost-claim')));
    expect(third.generate.id).toBe(generate.id);
    expect(slow.emulator.requests).toHaveLength(1);
  });

  it('after a crash, a retry waits for the crashed run’s hold, then runs once it has expired', async () => {
    const chat = await deployments.deploy('after-crash');
    // What a run that crashed after its hold leaves behind: the hold, and no claim.
    const base = sha256(`${team.teamId}\ncrashed-key`);
    const admin = <D>(query: string, variables: Record<string, unknown>) =>
      stack.request<D>(query, { token: TEST_ADMIN_KEY, variables }).then(expectNoErrors);
    const crashed = await admin<{ authorizeHold: { id: string } }>(
      `mutation($w: ID!, $k: String!) { authorizeHold(walletId: $w, amount: "500",
         idempotencyKey: $k, expiresInSeconds: 60) { id } }`,
      { w: team.teamId, k: `hold:${base}:1` },
    );
    expectErrorCode(await team.call(GENERATE, ask(chat.modelId, 'crashed-key')), 'CONFLICT');
    expect(chat.emulator.requests).toHaveLength(0);
    await stack.dbs.wallet.query('INSERT INTO clock_offset (seconds) VALUES (61)');
    try {
      const { generate } = expectNoErrors(
        await team.call(GENERATE, ask(chat.modelId, 'crashed-key')),
      );
      expect(generate.chargeStatus).toBe('CHARGED');
      expect(chat.emulator.requests).toHaveLength(1);
    } finally {
      // Back on the real clock the crashed hold would be open again unless the sweeper got it
      // first (then it is already EXPIRED, which is as good).
      const voided = await stack.request(`mutation($h: ID!) { voidHold(holdId: $h) { id } }`, {
        token: TEST_ADMIN_KEY,
        variables: { h: crashed.authorizeHold.id },
      });
      if (voided.body.errors?.length) {
        expect(expectErrorCode(voided, 'HOLD_ALREADY_RESOLVED').extensions!.status).toBe('EXPIRED');
      }
      await stack.dbs.wallet.query('DELETE FROM clock_offset');
    }
  });

  it('a failed embedding batch cancels the others before its credits are released', async () => {
    const embedder = await deployments.deploy('cancelled-batches', {
      capability: 'EMBEDDING',
      maxBatchSize: 1,
      price: { inputPerMillion: '1000000', outputPerMillion: '0' },
    });
    // The first batch answers; of the next two, one is refused and one never answers.
    embedder.emulator.failNext({}, { status: 400 }, { timeout: true });
    const before = await team.settledBalance();
    const money = await watchMoney(stack, team, [embedder.modelId]);
    const response = await team.call(
      `mutation { embed(input: { model: "${embedder.modelId}", texts: ["one", "two", "three"] }) {
        cost } }`,
    );
    expectErrorCode(response, 'PROVIDER_ERROR');
    // No provider request outlives the call: the hanging one was aborted, not left to time out
    // (5 s) and be retried.
    await eventually(
      'every provider request has ended',
      () => (embedder.emulator.requests.every((r) => r.closedAt !== undefined) ? true : undefined),
      { timeoutMs: 2_000, intervalMs: 20 },
    );
    expect(embedder.emulator.requests).toHaveLength(3);
    await money.expectAgrees(0n);
    // Embeddings are paid from the team's credit lease: the failed call gave its share back, so
    // the lease is returned once idle (a share left open would keep it held forever).
    expect(await team.settledBalance()).toEqual(before);
  });
});
