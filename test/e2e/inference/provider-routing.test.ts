import { expectErrorCode, expectNoErrors } from '../../support/graphql-client.js';
import {
  startEmulatedStack,
  type Deployment,
  type EmulatedStack,
} from '../../support/emulated-deployments.js';
import { createCallingTeam, GENERATE, type CallingTeam } from '../../support/inference-setup.js';
import { watchMoney } from '../../support/money-probe.js';
import { expectedChatUsage } from '../../support/provider-emulators.js';
import { TEST_ADMIN_KEY, type Stack } from '../../support/stack.js';
import { STORE_MODES } from '../../support/test-env.js';
import { typed } from '../../support/typed-document.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';

const messages = [{ role: 'USER', content: 'What is the capital of France' }];
const ask = (model: string, extra: Record<string, unknown> = {}) => ({
  i: { model, messages, maxTokens: 50, ...extra },
});
const HOLDS = typed<
  {
    team: {
      wallet: { holds: Array<{ status: string; amount: string; capturedAmount: string | null }> };
    };
  },
  { id: string; s: string }
>(`query($id: ID!, $s: HoldStatus) { team(id: $id) { wallet {
  holds(status: $s) { status amount capturedAmount } } } }`);

describe.each(STORE_MODES)('routing across emulated providers (%s stores)', (mode) => {
  let stack: Stack;
  let team: CallingTeam;
  let deployments: EmulatedStack['deployments'];
  const deploy: EmulatedStack['deployments']['deploy'] = (...args) => deployments.deploy(...args);
  const holds = async (status: string) =>
    expectNoErrors(await team.call(HOLDS, { id: team.teamId, s: status })).team.wallet.holds;

  let emulated: EmulatedStack;
  beforeAll(async () => {
    emulated = await startEmulatedStack(mode, {
      team: 'Routed callers',
      settings: {
        attemptsPerTarget: 2,
        retryBaseMs: 5,
        retryMaxMs: 2_000,
        // Long enough that a busy CI machine never times out a healthy emulator.
        attemptTimeoutMs: 1_500,
        circuitFailures: 4,
        catalogCacheMs: 0,
      },
    });
    ({ stack, team, deployments } = emulated);
  }, STACK_START_TIMEOUT_MS);
  afterAll(() => emulated?.stop());

  it('falls back when the primary answers 500, and charges the model that answered', async () => {
    const primary = await deploy('fail-primary', { emulator: { faultEvery: { status: 500 } } });
    const secondary = await deploy('ok-secondary', { emulator: { reply: 'Paris, from backup.' } });
    const alias = await deployments.route('fallback-500', 'FALLBACK', [primary, secondary]);
    const money = await watchMoney(stack, team, [primary.modelId, secondary.modelId]);
    const { generate } = expectNoErrors(await team.call(GENERATE, ask(alias)));
    expect(generate.text).toBe('Paris, from backup.');
    expect(generate.model.id).toBe(secondary.modelId);
    expect(generate.attempts.map((a) => [a.model.id, a.outcome, a.error, a.httpStatus])).toEqual([
      [primary.modelId, 'FAILED', 'SERVER_ERROR', 500],
      [primary.modelId, 'FAILED', 'SERVER_ERROR', 500],
      [secondary.modelId, 'SUCCEEDED', null, null],
    ]);
    expect(primary.emulator.requests).toHaveLength(2);
    expect(secondary.emulator.requests).toHaveLength(1);
    // The key the catalog names reached the provider.
    expect(secondary.emulator.requests[0]!.headers.authorization).toBe('Bearer sk-emulated');
    await money.expectAgrees(BigInt(generate.cost));
  });

  it('honours 429 Retry-After before trying the same deployment again', async () => {
    const limited = await deploy('limited');
    limited.emulator.failNext({ status: 429, retryAfter: '1' });
    const { generate } = expectNoErrors(await team.call(GENERATE, ask(limited.modelId)));
    expect(generate.attempts.map((a) => [a.outcome, a.error, a.retryAfterMs])).toEqual([
      ['FAILED', 'RATE_LIMITED', 1000],
      ['SUCCEEDED', null, null],
    ]);
    const [first, second] = limited.emulator.requests;
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(990);
  });

  it('moves to the next deployment when one times out', async () => {
    const slow = await deploy('hanging', { emulator: { faultEvery: { timeout: true } } });
    const quick = await deploy('quick');
    const alias = await deployments.route('timeout-then-quick', 'FALLBACK', [slow, quick]);
    const { generate } = expectNoErrors(await team.call(GENERATE, ask(alias)));
    expect(generate.model.id).toBe(quick.modelId);
    expect(generate.attempts.map((a) => [a.model.id, a.outcome, a.error])).toEqual([
      [slow.modelId, 'FAILED', 'TIMEOUT'],
      [slow.modelId, 'FAILED', 'TIMEOUT'],
      [quick.modelId, 'SUCCEEDED', null],
    ]);
  });

  it('when every deployment fails: PROVIDER_ERROR with the attempts, nothing held or charged', async () => {
    const a = await deploy('down-a', { emulator: { faultEvery: { status: 503 } } });
    const b = await deploy('down-b', { emulator: { faultEvery: { malformed: true } } });
    const alias = await deployments.route('all-down', 'FALLBACK', [a, b]);
    const before = await team.settledBalance();
    const error = expectErrorCode(await team.call(GENERATE, ask(alias)), 'PROVIDER_ERROR');
    expect(
      (error.extensions!.attempts as Array<Record<string, unknown>>).map((t) => [
        t.modelId,
        t.outcome,
        t.error,
      ]),
    ).toEqual([
      [a.modelId, 'FAILED', 'SERVER_ERROR'],
      [a.modelId, 'FAILED', 'SERVER_ERROR'],
      [b.modelId, 'FAILED', 'BAD_RESPONSE'],
      [b.modelId, 'FAILED', 'BAD_RESPONSE'],
    ]);
    expect(await team.settledBalance()).toEqual(before);
    expect(await holds('PENDING')).toEqual([]);
  });

  describe('refusals reach no provider', () => {
    let target: Deployment;
    beforeAll(async () => {
      target = await deploy('never-called');
    });
    afterEach(() => expect(target.emulator.requests).toHaveLength(0));

    it('insufficient funds', async () => {
      const broke = await createCallingTeam(stack, { name: 'Broke', credits: '0' });
      const error = expectErrorCode(
        await broke.call(GENERATE, ask(target.modelId)),
        'INSUFFICIENT_FUNDS',
      );
      expect(error.extensions).toMatchObject({ available: '0' });
    });

    it('a model the team may not use', async () => {
      const localOnly = await createCallingTeam(stack, {
        name: 'Local only',
        allow: [{ subject: 'PROVIDER', value: 'local' }],
      });
      expectErrorCode(await localOnly.call(GENERATE, ask(target.modelId)), 'MODEL_NOT_ALLOWED');
    });

    it('data above the model’s classification ceiling', async () => {
      expectErrorCode(
        await team.call(GENERATE, ask(target.modelId, { dataClass: 'RESTRICTED' })),
        'MODEL_NOT_ALLOWED',
      );
    });

    it('a rate limit', async () => {
      const limited = await createCallingTeam(stack, { name: 'One a minute' });
      expectNoErrors(
        await stack.request(
          `mutation($t: ID!) { setQuota(teamId: $t, input: { requestsPerMinute: 1 }) { id } }`,
          { token: TEST_ADMIN_KEY, variables: { t: limited.teamId } },
        ),
      );
      expectNoErrors(await limited.call(GENERATE, ask('local/echo-chat')));
      const error = expectErrorCode(
        await limited.call(GENERATE, ask(target.modelId)),
        'RATE_LIMITED',
      );
      expect(error.extensions).toMatchObject({ limit: 'rpm' });
      expect(error.extensions!.retryAfterSeconds).toBeGreaterThan(0);
    });
  });

  it('charges usage × the price version in force, and the ledger shows it', async () => {
    const priced = await deploy('priced', {
      price: { inputPerMillion: '3000000', outputPerMillion: '15000000' },
    });
    expectNoErrors(
      await stack.request(
        `mutation($id: ID!) { updateModel(id: $id, input: {
           price: { inputPerMillion: "2500000", outputPerMillion: "12500000" } }) { id } }`,
        { token: TEST_ADMIN_KEY, variables: { id: priced.modelId } },
      ),
    );
    const { generate } = expectNoErrors(await team.call(GENERATE, ask(priced.modelId)));
    const usage = expectedChatUsage([{ content: messages[0]!.content }]);
    expect(generate.usage).toMatchObject(usage);
    expect(generate.priceVersion).toBe(2);
    const expected =
      BigInt(Math.ceil((usage.inputTokens * 2_500_000) / 1e6)) +
      BigInt(Math.ceil((usage.outputTokens * 12_500_000) / 1e6));
    expect(generate.cost).toBe(expected.toString());
    const { transactions } = expectNoErrors(
      await team.call<{
        team: { wallet: { transactions: { edges: Array<{ node: unknown }> } } };
      }>(
        `query($id: ID!) { team(id: $id) { wallet { transactions(first: 1) {
           edges { node { kind amount } } } } } }`,
        { id: team.teamId },
      ),
    ).team.wallet;
    // Charged against the team's credit lease (decision 62): a SPEND of exactly the cost.
    expect(transactions.edges[0]?.node).toEqual({ kind: 'SPEND', amount: expected.toString() });
  });

  it('a retried generate with the same idempotency key: one provider call, one capture', async () => {
    const once = await deploy('once');
    const before = await team.balance();
    const capturedBefore = (await holds('CAPTURED')).length;
    const request = ask(once.modelId, { idempotencyKey: 'order-4711' });
    const first = expectNoErrors(await team.call(GENERATE, request)).generate;
    const retry = expectNoErrors(await team.call(GENERATE, request)).generate;
    expect(retry).toEqual(first);
    expect(once.emulator.requests).toHaveLength(1);
    expect((await holds('CAPTURED')).length).toBe(capturedBefore + 1);
    const after = await team.balance();
    expect(BigInt(before.available) - BigInt(after.available)).toBe(BigInt(first.cost));
    // The same key for a different request is refused.
    expectErrorCode(
      await team.call(GENERATE, ask(once.modelId, { idempotencyKey: 'order-4711', maxTokens: 7 })),
      'IDEMPOTENCY_CONFLICT',
    );
  });

  it('speaks the Anthropic Messages API', async () => {
    const claude = await deploy('claude-like', {
      kind: 'ANTHROPIC',
      emulator: { reply: 'Bonjour from Anthropic.' },
    });
    const { generate } = expectNoErrors(
      await team.call(GENERATE, {
        i: {
          model: claude.modelId,
          messages: [{ role: 'SYSTEM', content: 'Be brief.' }, ...messages],
          maxTokens: 20,
        },
      }),
    );
    expect(generate.text).toBe('Bonjour from Anthropic.');
    const [request] = claude.emulator.requests;
    expect(request!.headers['x-api-key']).toBe('ak-emulated');
    expect(request!.body).toMatchObject({ system: 'Be brief.', max_tokens: 20 });
  });

  it('opens a failing deployment’s circuit, skips it, and shows it in Model.health', async () => {
    const flaky = await deploy('flaky', { emulator: { faultEvery: { status: 500 } } });
    const backup = await deploy('steady');
    const alias = await deployments.route('flaky-first', 'FALLBACK', [flaky, backup]);
    // Two calls, two failures each: four consecutive failures open the circuit.
    for (let i = 0; i < 2; i += 1) expectNoErrors(await team.call(GENERATE, ask(alias)));
    const { generate } = expectNoErrors(await team.call(GENERATE, ask(alias)));
    expect(generate.attempts[0]).toMatchObject({ outcome: 'SKIPPED', error: 'CIRCUIT_OPEN' });
    expect(flaky.emulator.requests).toHaveLength(4);
    const { model } = expectNoErrors(
      await team.call<{ model: { health: unknown } }>(
        `query($id: ID!) { model(id: $id) { health { status circuitState errorRate sampleCount } } }`,
        { id: flaky.modelId },
      ),
    );
    expect(model.health).toEqual({
      status: 'DOWN',
      circuitState: 'OPEN',
      errorRate: 1,
      sampleCount: 4,
    });
  });
});
