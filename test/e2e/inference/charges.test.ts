import { countTokens as cl100kTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import {
  chatPromptBound,
  embeddingInputBound,
  worstCaseCost,
} from '../../../subgraphs/inference/service/cost.js';
import {
  startEmulatedStack,
  type Deployment,
  type EmulatedStack,
} from '../../support/emulated-deployments.js';
import { eventually } from '../../support/eventually.js';
import {
  expectErrorCode,
  expectNoErrors,
  type GraphQLResponse,
} from '../../support/graphql-client.js';
import { GRANT, HOLDS, type Generation } from '../../support/inference-documents.js';
import { createCallingTeam, GENERATE, type CallingTeam } from '../../support/inference-setup.js';
import { chargesOf, total, watchMoney } from '../../support/money-probe.js';
import { TEST_ADMIN_KEY, type Stack } from '../../support/stack.js';
import { STORE_MODES } from '../../support/test-env.js';
import { typed } from '../../support/typed-document.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';

interface EmbedShare {
  cost: string;
  chargeStatus: string;
  cached: boolean;
  cachedCount: number;
}
const EMBED = typed<{ embed: EmbedShare }, { m: string; t: string[] }>(
  `mutation($m: ID!, $t: [String!]!) { embed(input: { model: $m, texts: $t }) {
  cost chargeStatus cached cachedCount } }`,
);
const TWO_EMBEDS = typed<
  { old: Omit<EmbedShare, 'chargeStatus'>; fresh: Omit<EmbedShare, 'chargeStatus'> },
  { m: string; old: string[]; new: string[] }
>(`mutation($m: ID!, $old: [String!]!, $new: [String!]!) {
  old: embed(input: { model: $m, texts: $old }) { cost cached cachedCount }
  fresh: embed(input: { model: $m, texts: $new }) { cost cached cachedCount } }`);
const ONE_PER_TOKEN = { inputPerMillion: '1000000', outputPerMillion: '1000000' };
const HINDI = 'प्रधानमंत्री ने आज अर्थव्यवस्था, शिक्षा और स्वास्थ्य पर नई योजनाओं की घोषणा की। '.repeat(20);
const plain = { disallowedSpecial: new Set<string>() };
const ask = (model: string, content: string, extra: Record<string, unknown> = {}) => ({
  i: { model, messages: [{ role: 'USER', content }], maxTokens: 20, ...extra },
});

/**
 * Every path that moves money reports what the ledger did: Generation.cost, embed shares, the
 * charged-µcr metric and the wallet agree, whatever the provider bills.
 */
describe.each(STORE_MODES)('what calls report is what the ledger charged (%s stores)', (mode) => {
  let stack: Stack;
  let team: CallingTeam;
  let deployments: EmulatedStack['deployments'];
  const holds = async (who: CallingTeam) =>
    expectNoErrors(await who.call(HOLDS, { id: who.teamId })).team.wallet.holds;
  const grant = async (teamId: string, amount: string, key: string) =>
    expectNoErrors(
      await stack.request(GRANT, {
        token: TEST_ADMIN_KEY,
        variables: { w: teamId, a: amount, k: key },
      }),
    );

  /**
   * Answers `call` with the ledger's clock a day ahead from when the provider got it, so that the
   * call's hold (or lease) expires before its charge; `check` reads the ledger before the clock
   * goes back (an expired hold the sweeper has not resolved is open again on time).
   */
  const answerWhileHoldsExpire = async (
    model: Deployment,
    call: Promise<GraphQLResponse<{ generate: Generation }>>,
    check: (generate: Generation) => Promise<void>,
  ) => {
    await eventually('the provider got the call', () => model.emulator.requests[0], {
      timeoutMs: 10_000,
    });
    await stack.dbs.wallet.query('INSERT INTO clock_offset (seconds) VALUES (86400)');
    try {
      await check(expectNoErrors(await call).generate);
    } finally {
      await stack.dbs.wallet.query('DELETE FROM clock_offset');
    }
  };

  let emulated: EmulatedStack;
  beforeAll(async () => {
    emulated = await startEmulatedStack(mode, {
      team: 'Payers',
      settings: {
        attemptTimeoutMs: 1_500,
        retryBaseMs: 5,
        outputTokensPerSecond: 100,
        catalogCacheMs: 0,
      },
    });
    ({ stack, team, deployments } = emulated);
  }, STACK_START_TIMEOUT_MS);
  afterAll(() => emulated?.stop());

  it('Hindi billed in cl100k tokens fits the worst case a lease reserves: charged exactly, within it', async () => {
    const billed = cl100kTokens(HINDI, plain);
    const price = { inputPerMillion: '1000000', outputPerMillion: '0' };
    const embedder = await deployments.deploy('cl100k-embed', {
      capability: 'EMBEDDING',
      maxBatchSize: 128,
      price,
      emulator: { usage: { inputTokens: billed } },
    });
    // A wallet of exactly the call's worst case is lent exactly that: the lease is the call's own.
    const worst = worstCaseCost(embeddingInputBound([HINDI]), 0, { version: 1, ...price });
    const exact = await createCallingTeam(stack, { name: 'Exactly', credits: worst.toString() });
    const money = await watchMoney(stack, exact, [embedder.modelId]);
    const { embed } = expectNoErrors(await exact.call(EMBED, { m: embedder.modelId, t: [HINDI] }));
    expect(embed).toMatchObject({ cost: String(billed), chargeStatus: 'CHARGED' });
    await money.expectAgrees(BigInt(billed));
    const {
      holds: [lease],
      entries,
    } = await chargesOf(exact);
    expect(lease).toMatchObject({ amount: worst.toString(), spentAmount: String(billed) });
    // One SPEND the lease covered wholly: no EXCESS beyond it.
    expect(entries).toEqual([
      expect.objectContaining({ kind: 'SPEND', amount: String(billed), relatedId: lease!.id }),
    ]);
    expect(await exact.settledBalance()).toMatchObject({
      posted: (worst - BigInt(billed)).toString(),
      owed: '0',
    });
  });

  it('a provider that bills beyond even the bound: its own hold captured, the excess from the balance', async () => {
    const greedy = await deployments.deploy('greedy', {
      price: ONE_PER_TOKEN,
      emulator: { usage: { inputTokens: 50_000, outputTokens: 7 } },
    });
    const money = await watchMoney(stack, team, [greedy.modelId]);
    const { generate } = expectNoErrors(
      await team.call(GENERATE, ask(greedy.modelId, 'Hi', { idempotencyKey: 'greedy-own-hold' })),
    );
    expect(generate).toMatchObject({ cost: '50007', chargeStatus: 'CHARGED' });
    await money.expectAgrees(50_007n);
    const [hold] = await holds(team);
    expect(hold).toMatchObject({ capturedAmount: '50007', owedAmount: '0' });
    expect(BigInt(hold!.excessAmount!)).toBe(50_007n - BigInt(hold!.amount));
  });

  it('beyond a credit lease too: the lease covers what it has, the rest is an EXCESS, none owed', async () => {
    const greedy = await deployments.deploy('greedy-lease', {
      price: ONE_PER_TOKEN,
      emulator: { usage: { inputTokens: 50_000, outputTokens: 7 } },
    });
    const lessee = await createCallingTeam(stack, { name: 'Greedy lessee' });
    const money = await watchMoney(stack, lessee, [greedy.modelId]);
    const { generate } = expectNoErrors(await lessee.call(GENERATE, ask(greedy.modelId, 'Hi')));
    expect(generate).toMatchObject({ cost: '50007', chargeStatus: 'CHARGED' });
    await money.expectAgrees(50_007n);
    // The lease (many calls' worth of this call's worst case) was all spent by this one call.
    const {
      holds: [lease],
      entries,
    } = await chargesOf(lessee);
    expect(lease!.spentAmount).toBe(lease!.amount);
    const [excess, spend, ...earlier] = entries;
    expect(earlier).toEqual([]);
    expect(spend).toMatchObject({ kind: 'SPEND', amount: lease!.amount, relatedId: lease!.id });
    expect(excess).toMatchObject({
      kind: 'EXCESS',
      amount: (50_007n - BigInt(lease!.amount)).toString(),
      relatedId: spend!.id,
    });
    expect(await lessee.settledBalance()).toMatchObject({
      posted: (100_000_000n - 50_007n).toString(),
      owed: '0',
    });
  });

  it.each([
    ['its own hold (an idempotency key)', 'own', true],
    ['a credit lease, granted all the wallet has', 'lease', false],
  ])(
    'what the balance cannot cover is owed, shown, and paid from the next grant: %s',
    async (_, slug, keyed) => {
      const greedy = await deployments.deploy(`greedy-owed-${slug}`, {
        price: ONE_PER_TOKEN,
        emulator: { usage: { inputTokens: 10_000, outputTokens: 5 } },
      });
      const call = (n: number) =>
        ask(greedy.modelId, 'Hi', keyed ? { idempotencyKey: `owed-${n}` } : {});
      const held = worstCaseCost(
        chatPromptBound({ messages: [{ role: 'user', content: 'Hi' }] }),
        20,
        { version: 1, ...ONE_PER_TOKEN },
      );
      const poor = await createCallingTeam(stack, { name: `Poor ${slug}`, credits: `${held}` });
      const money = await watchMoney(stack, poor, [greedy.modelId]);
      const { generate } = expectNoErrors(await poor.call(GENERATE, call(1)));
      expect(generate).toMatchObject({ cost: '10005', chargeStatus: 'CHARGED' });
      await money.expectAgrees(10_005n);
      // Nothing held: the call took all its hold (or lease) had, and owes the rest.
      expect(await poor.balance()).toEqual({
        available: '0',
        held: '0',
        posted: '0',
        owed: (10_005n - held).toString(),
      });
      expectErrorCode(await poor.call(GENERATE, call(2)), 'INSUFFICIENT_FUNDS');
      await grant(poor.teamId, '20000', `after-owing-${slug}`);
      expect(await poor.balance()).toMatchObject({
        owed: '0',
        posted: (20_000n - (10_005n - held)).toString(),
      });
    },
  );

  // Issue 12: a served call was WAIVED when its hold was gone before its capture (a revenue
  // leak). It is now charged beyond the hold, exactly what the provider billed (decision 63).
  it('a hold that expired before its capture: the served call is charged beyond it, and says so', async () => {
    const slow = await deployments.deploy('slow-expiry', {
      price: ONE_PER_TOKEN,
      emulator: { latencyMs: 800 },
    });
    const money = await watchMoney(stack, team, [slow.modelId]);
    const call = team.call(
      GENERATE,
      ask(slow.modelId, 'Take your time', { idempotencyKey: 'expired-own-hold' }),
    );
    await answerWhileHoldsExpire(slow, call, async (generate) => {
      expect(generate.chargeStatus).toBe('CHARGED');
      expect(generate.cost).toBe(String(generate.usage.totalTokens));
      await money.expectAgrees(BigInt(generate.cost));
      expect((await holds(team))[0]).toMatchObject({ status: 'EXPIRED' });
    });
  });

  it('a lease that expired before the spend: the served call is charged beyond it, all of it', async () => {
    const slow = await deployments.deploy('slow-lease-expiry', {
      price: ONE_PER_TOKEN,
      emulator: { latencyMs: 800 },
    });
    const lessee = await createCallingTeam(stack, { name: 'Late lessee' });
    const money = await watchMoney(stack, lessee, [slow.modelId]);
    const call = lessee.call(GENERATE, ask(slow.modelId, 'Take your time'));
    await answerWhileHoldsExpire(slow, call, async (generate) => {
      expect(generate.chargeStatus).toBe('CHARGED');
      expect(generate.cost).toBe(String(generate.usage.totalTokens));
      await money.expectAgrees(BigInt(generate.cost));
      const {
        holds: [lease],
        entries,
      } = await chargesOf(lessee);
      expect(lease).toMatchObject({ status: 'EXPIRED', spentAmount: '0' });
      const [excess, spend, ...earlier] = entries;
      expect(earlier).toEqual([]);
      expect(spend).toMatchObject({ kind: 'SPEND', amount: '0', relatedId: lease!.id });
      expect(excess).toMatchObject({ kind: 'EXCESS', amount: generate.cost, relatedId: spend!.id });
    });
  });

  it('a field the cache answered wholly costs nothing; the new texts carry the charge', async () => {
    const embedder = await deployments.deploy('shares', {
      capability: 'EMBEDDING',
      maxBatchSize: 128,
      price: { inputPerMillion: '1000000', outputPerMillion: '0' },
    });
    const seen = ['first known text here', 'second known text here'];
    expectNoErrors(await team.call(EMBED, { m: embedder.modelId, t: seen }));
    const money = await watchMoney(stack, team, [embedder.modelId]);
    const data = expectNoErrors(
      await team.call(TWO_EMBEDS, {
        m: embedder.modelId,
        old: seen,
        new: ['a new one', 'another new one'],
      }),
    );
    expect(data.old).toEqual({ cost: '0', cached: true, cachedCount: 2 });
    // The emulator bills a token a word: 3 + 3.
    expect(data.fresh).toEqual({ cost: '6', cached: false, cachedCount: 0 });
    await money.expectAgrees(total([data.old, data.fresh]));
  });

  it('a model priced 0 is called without a hold and reported FREE', async () => {
    const free = await deployments.deploy('free', {
      price: { inputPerMillion: '0', outputPerMillion: '0' },
    });
    const before = (await holds(team)).length;
    const { generate } = expectNoErrors(await team.call(GENERATE, ask(free.modelId, 'Free?')));
    expect(generate).toMatchObject({ cost: '0', chargeStatus: 'FREE', cached: false });
    expect(await holds(team)).toHaveLength(before);
  });

  it('caches and shared answers are per team: one team cannot learn what another asked', async () => {
    const chat = await deployments.deploy('per-team', { emulator: { latencyMs: 200 } });
    const other = await createCallingTeam(stack, { name: 'Other team' });
    const request = ask(chat.modelId, 'A question only we ask', { temperature: 0 });
    // At the same time, and again later: each team's first call reaches the provider.
    const [ours, theirs] = await Promise.all([
      team.call(GENERATE, request),
      other.call(GENERATE, request),
    ]);
    expect(expectNoErrors(ours).generate.cached).toBe(false);
    expect(expectNoErrors(theirs).generate.cached).toBe(false);
    expect(chat.emulator.requests).toHaveLength(2);
    expect(expectNoErrors(await other.call(GENERATE, request)).generate.cached).toBe(true);

    const embedder = await deployments.deploy('per-team-embed', {
      capability: 'EMBEDDING',
      maxBatchSize: 128,
    });
    const secret = ['merger with Acme in March'];
    expectNoErrors(await team.call(EMBED, { m: embedder.modelId, t: secret }));
    const { embed } = expectNoErrors(await other.call(EMBED, { m: embedder.modelId, t: secret }));
    expect(embed).toMatchObject({ cached: false, cachedCount: 0 });
    expect(embedder.emulator.requests).toHaveLength(2);
  });

  it('maxTokens above the model’s limit is refused before any hold or provider call', async () => {
    const limited = await deployments.deploy('limited-output');
    const before = (await holds(team)).length;
    const error = expectErrorCode(
      await team.call(GENERATE, ask(limited.modelId, 'Write a book', { maxTokens: 5_000 })),
      'BAD_USER_INPUT',
    );
    expect(error.extensions).toMatchObject({ field: 'maxTokens', limit: 4096 });
    expect(limited.emulator.requests).toHaveLength(0);
    expect(await holds(team)).toHaveLength(before);
  });

  it('a long answer is given the time its maxTokens needs', async () => {
    // 2 s to answer: past the 1.5 s attempt timeout, within it plus 300 tokens at 100 a second.
    const slow = await deployments.deploy('long-answer', { emulator: { latencyMs: 2_000 } });
    const { generate } = expectNoErrors(
      await team.call(GENERATE, ask(slow.modelId, 'Take your time', { maxTokens: 300 })),
    );
    expect(generate.attempts.map((a) => a.outcome)).toEqual(['SUCCEEDED']);
  });
});
