import { expectErrorCode, expectNoErrors } from '../../support/graphql-client.js';
import { startEmulatedStack, type EmulatedStack } from '../../support/emulated-deployments.js';
import { GENERATE, type CallingTeam } from '../../support/inference-setup.js';
import { watchMoney } from '../../support/money-probe.js';
import { emulatorEmbedding } from '../../support/provider-emulators.js';
import { STORE_MODES } from '../../support/test-env.js';
import { typed } from '../../support/typed-document.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';

/** One operation with an aliased `embed` field per list of texts. */
interface EmbedField {
  vectors: number[][];
  cost: string;
  cached: boolean;
  cachedCount: number;
  usage: { inputTokens: number };
}

function embedOperation(model: string, lists: string[][]) {
  const fields = lists
    .map(
      (_, i) => `f${i}: embed(input: { model: "${model}", texts: $t${i} }) {
      vectors cost cached cachedCount usage { inputTokens } }`,
    )
    .join('\n');
  const params = lists.map((_, i) => `$t${i}: [String!]!`).join(', ');
  return {
    query: typed<Record<string, EmbedField>>(`mutation(${params}) { ${fields} }`),
    variables: Object.fromEntries(lists.map((texts, i) => [`t${i}`, texts])),
  };
}

describe.each(STORE_MODES)('embedding batches and the response cache (%s stores)', (mode) => {
  let team: CallingTeam;
  let deployments: EmulatedStack['deployments'];
  let emulated: EmulatedStack;
  beforeAll(async () => {
    emulated = await startEmulatedStack(mode, { team: 'Batchers' });
    ({ team, deployments } = emulated);
  }, STACK_START_TIMEOUT_MS);
  afterAll(() => emulated?.stop());

  it('10 aliased embed fields of 50 texts: ceil(unique / 128) provider requests, one charge', async () => {
    const embedder = await deployments.deploy('batched', {
      capability: 'EMBEDDING',
      maxBatchSize: 128,
      price: { inputPerMillion: '1000000', outputPerMillion: '0' },
    });
    // Field i has texts 30i .. 30i+49: neighbours overlap by 20, so 320 texts are unique.
    const lists = Array.from({ length: 10 }, (_, i) =>
      Array.from({ length: 50 }, (_, j) => `document number ${30 * i + j}`),
    );
    const unique = new Set(lists.flat());
    expect(unique.size).toBe(320);
    const money = await watchMoney(emulated.stack, team, [embedder.modelId]);
    const { query, variables } = embedOperation(embedder.modelId, lists);
    const data = expectNoErrors(await team.call(query, variables));

    const requests = embedder.emulator.requests;
    expect(requests).toHaveLength(Math.ceil(unique.size / 128));
    expect(requests.map((r) => r.body?.input?.length ?? 0).sort((a, b) => b - a)).toEqual([
      128, 128, 64,
    ]);
    expect(new Set(requests.flatMap((r) => r.body?.input ?? []))).toEqual(unique);
    // Every field got its own vectors, in its own order.
    lists.forEach((texts, i) => {
      expect(data[`f${i}`]?.vectors).toHaveLength(50);
      expect(data[`f${i}`]?.vectors[7]).toEqual(
        emulatorEmbedding(texts[7]!, 8).map((v) => Math.fround(v)),
      );
    });
    // One charge for the operation: the fields' shares add up to what the ledger took and the
    // metric counted.
    const shares = lists.reduce((sum, _, i) => sum + BigInt(data[`f${i}`]!.cost), 0n);
    await money.expectAgrees(shares);
    expect(shares).toBeGreaterThan(0n);

    // The same texts again: all from the cache, free, and no provider request.
    const again = expectNoErrors(await team.call(query, variables));
    expect(embedder.emulator.requests).toHaveLength(3);
    expect(again.f0).toMatchObject({ cached: true, cachedCount: 50, cost: '0' });
    expect(again.f3?.vectors).toEqual(data.f3?.vectors);
  });

  it('a bad field fails alone; the operation’s other fields still answer', async () => {
    const result = await team.call(
      `mutation { good: embed(input: { model: "local/hash-embed", texts: ["fine"] }) { cost }
                  bad: embed(input: { model: "local/hash-embed", texts: [""] }) { cost } }`,
    );
    expectErrorCode(result, 'BAD_USER_INPUT');
    expect(result.body.data).toEqual({ good: { cost: expect.any(String) }, bad: null });
  });

  it('identical concurrent deterministic generations share one provider call', async () => {
    const chat = await deployments.deploy('shared-chat', { emulator: { latencyMs: 150 } });
    const request = {
      i: {
        model: chat.modelId,
        messages: [{ role: 'USER', content: 'Same question for everyone' }],
        maxTokens: 20,
        temperature: 0,
      },
    };
    const money = await watchMoney(emulated.stack, team, [chat.modelId]);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => team.call(GENERATE, request)),
    );
    const generations = answers.map((a) => expectNoErrors(a).generate);
    expect(chat.emulator.requests).toHaveLength(1);
    expect(new Set(generations.map((g) => g.text)).size).toBe(1);
    // The caller whose request reached the provider pays; the others were served its answer,
    // marked shared (not cached: no cache answered them).
    const paid = generations.filter((g) => !g.shared);
    expect(paid).toHaveLength(1);
    expect(generations.map((g) => g.cached)).toEqual([false, false, false, false, false]);
    expect(generations.filter((g) => g.shared).map((g) => g.cost)).toEqual(['0', '0', '0', '0']);
    await money.expectAgrees(BigInt(paid[0].cost));
    // Nothing stays held: every call's share of the team's credit lease was settled, so the lease
    // is returned once idle (a share left open would keep it held forever, and this would fail).
    await team.settledBalance();

    // Later, the cache answers: cached, free, still no second provider request.
    const { generate } = expectNoErrors(await team.call(GENERATE, request));
    expect(generate).toMatchObject({ cached: true, shared: false, cost: '0', text: paid[0].text });
    expect(chat.emulator.requests).toHaveLength(1);
  });
});
