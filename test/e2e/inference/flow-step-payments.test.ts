import { createHash, randomUUID } from 'node:crypto';
import {
  INTERNAL_TOKEN_HEADER,
  ISSUERS,
  createInternalTokenSigner,
  type InternalTokenSigner,
} from '../../../lib/auth/internal-token.js';
import type { Principal } from '../../../lib/auth/principal.js';
import {
  chatPromptBound,
  embeddingInputBound,
  worstCaseCost,
} from '../../../subgraphs/inference/service/cost.js';
import { ORCHESTRATION_PRINCIPAL } from '../../../subgraphs/orchestration/server.js';
import { errorsOf } from '../../support/error-summary.js';
import { eventually } from '../../support/eventually.js';
import {
  expectErrorCode,
  expectNoErrors,
  gql,
  type GraphQLResponse,
} from '../../support/graphql-client.js';
import { teamUser } from '../../support/identities.js';
import { createCallingTeam, type CallingTeam } from '../../support/inference-setup.js';
import { startStack, type Stack } from '../../support/stack.js';
import { subscribeOverSse } from '../../support/subgraph-stream.js';
import { STORE_MODES } from '../../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';
import { typed, type Operation } from '../../support/typed-document.js';

/*
 * Flow steps paid from their run's hold (decision 100): orchestration calls inference's own
 * generate and embed for the run's creator (a delegated token) with `flowStep`, and inference
 * spends from the run's FLOW_RUN hold instead of holding for itself. Real wallet, policy and
 * inference, the local models; the holds are made as orchestration makes them (wallet:hold).
 */

const CHAT = 'local/echo-chat';
const EMBEDDER = 'local/hash-embed';
/** The seed's prices (deploy/models.yaml). */
const CHAT_PRICE = { version: 1, inputPerMillion: '100000', outputPerMillion: '200000' };
const EMBED_PRICE = { version: 1, inputPerMillion: '20000', outputPerMillion: '0' };
const MAX_TOKENS = 20;

interface Generated {
  id: string;
  cost: string;
  chargeStatus: string;
}
const GENERATE = typed<{ generate: Generated }, { i: Record<string, unknown> }>(
  `mutation($i: GenerateInput!) { generate(input: $i) { id cost chargeStatus } }`,
);
const EMBED = typed<
  { embed: { cost: string; chargeStatus: string; dimensions: number } },
  { i: Record<string, unknown> }
>(`mutation($i: EmbedInput!) { embed(input: $i) { cost chargeStatus dimensions } }`);
const AUTHORIZE = typed<
  { authorizeHold: { id: string } },
  { w: string; a: string; k: string; p: string }
>(`mutation($w: ID!, $a: Micros!, $k: String!, $p: HoldPurpose) {
  authorizeHold(walletId: $w, amount: $a, idempotencyKey: $k, expiresInSeconds: 600,
    metadata: { purpose: $p, requestId: "flow-step-test" }) { id } }`);
const VOID = typed<{ voidHold: { status: string } }, { h: string }>(
  `mutation($h: ID!) { voidHold(holdId: $h) { status } }`,
);
interface RunHold {
  status: string;
  amount: string;
  spentAmount: string;
}
const HOLD = typed<{ hold: RunHold }, { h: string }>(
  `query($h: ID!) { hold(id: $h) { status amount spentAmount } }`,
);
const TEAM_MONEY = typed<
  {
    team: {
      wallet: { balance: { posted: string }; holds: Array<{ id: string; purpose: string }> };
    };
  },
  { id: string }
>(`query($id: ID!) { team(id: $id) { wallet {
  balance { posted } holds(first: 20) { id purpose } } } }`);

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const ask = (content: string) => ({
  model: CHAT,
  messages: [{ role: 'USER', content }],
  maxTokens: MAX_TOKENS,
});

describe.each(STORE_MODES)('flow steps paid from the run hold (%s stores)', (mode) => {
  let stack: Stack;
  let orchestration: InternalTokenSigner;

  beforeAll(async () => {
    // No embedding cache: a step sent again reaches the provider and its spend again.
    stack = await startStack({ mode, inference: { settings: { embeddingCacheTtlSeconds: 0 } } });
    orchestration = await createInternalTokenSigner({
      privateKeyPem: stack.internalKeys.privateKeyPem,
      issuer: ISSUERS.orchestration,
    });
  }, STACK_START_TIMEOUT_MS);
  afterAll(() => stack?.stop());

  /** Orchestration's own call to the wallet (wallet:hold), as run-executor makes it. */
  const asOrchestration = async <D, V>(operation: Operation<D, V>, variables: V) =>
    gql(stack.subgraphUrls.wallet!, operation, {
      variables,
      headers: {
        [INTERNAL_TOKEN_HEADER]: await orchestration.sign(
          ORCHESTRATION_PRINCIPAL('default'),
          randomUUID(),
        ),
      },
    });

  /** A call to inference for `principal`: delegated by orchestration, or as the gateway sends it. */
  const callInference = async <D>(
    principal: Principal,
    operation: Operation<D, { i: Record<string, unknown> }>,
    input: Record<string, unknown>,
    how: 'delegated' | 'gateway' = 'delegated',
  ): Promise<GraphQLResponse<D>> => {
    const token =
      how === 'delegated'
        ? await orchestration.sign(principal, randomUUID(), 'service:orchestration')
        : await stack.internalToken(principal);
    return gql(stack.subgraphUrls.inference!, operation, {
      variables: { i: input },
      headers: { [INTERNAL_TOKEN_HEADER]: token },
    });
  };

  /** Every hold the tests made themselves (any other was made by inference). */
  const made = new Set<string>();
  const openHold = async (teamId: string, amount: bigint, purpose = 'FLOW_RUN') => {
    const { id } = expectNoErrors(
      await asOrchestration(AUTHORIZE, {
        w: teamId,
        a: amount.toString(),
        k: randomUUID(),
        p: purpose,
      }),
    ).authorizeHold;
    made.add(id);
    return id;
  };
  const holdNow = async (holdId: string) =>
    expectNoErrors(await asOrchestration(HOLD, { h: holdId })).hold;
  const moneyOf = async (team: CallingTeam) =>
    expectNoErrors(await team.call(TEAM_MONEY, { id: team.teamId })).team.wallet;

  /** A funded team whose member runs flows, and a run hold of `amount` on its wallet. */
  const teamWithRun = async (name: string, amount = 1_000_000n) => {
    const team = await createCallingTeam(stack, { name });
    const member = teamUser(team.teamId, 'MEMBER', `user:${name.toLowerCase()}`);
    const holdId = await openHold(team.teamId, amount);
    return { team, member, holdId };
  };

  it('a generate step is spent from the run hold, exactly its cost, and no other hold is made', async () => {
    const { team, member, holdId } = await teamWithRun('Writers');
    const before = await moneyOf(team);
    const step = { holdId, stepKey: `run-1:answer` };
    const input = { ...ask('Summarize the week'), teamId: team.teamId, flowStep: step };
    const { generate } = expectNoErrors(await callInference(member, GENERATE, input));
    expect(generate.chargeStatus).toBe('CHARGED');
    expect(BigInt(generate.cost)).toBeGreaterThan(0n);
    expect(await holdNow(holdId)).toMatchObject({ status: 'PENDING', spentAmount: generate.cost });
    // Its usage record names the run's hold and the step.
    const record = await eventually(
      'the usage record',
      async () => {
        const { rows } = await stack.dbs.inference.query<{
          flow_hold_id: string | null;
          flow_step_key: string | null;
        }>('SELECT flow_hold_id, flow_step_key FROM usage_records WHERE call_id = $1', [
          generate.id,
        ]);
        return rows[0];
      },
      { timeoutMs: 10_000 },
    );
    expect(record).toEqual({ flow_hold_id: holdId, flow_step_key: step.stepKey });
    const after = await moneyOf(team);
    expect(after.holds).toEqual([{ id: holdId, purpose: 'FLOW_RUN' }]);
    expect(BigInt(before.balance.posted) - BigInt(after.balance.posted)).toBe(
      BigInt(generate.cost),
    );

    // Sent again (a retry, a resumed run): the same generation, charged once.
    const again = expectNoErrors(await callInference(member, GENERATE, input)).generate;
    expect(again).toEqual(generate);
    // Even when inference lost the finished answer, the step's spend key charges it once.
    const claim = `idem:{team:${encodeURIComponent(team.teamId)}}:${sha256(`flow:${step.stepKey}`)}`;
    await stack.kv.del(claim);
    const rerun = expectNoErrors(await callInference(member, GENERATE, input)).generate;
    expect(rerun.id).not.toBe(generate.id);
    expect(rerun.cost).toBe(generate.cost);
    expect(await holdNow(holdId)).toMatchObject({ spentAmount: generate.cost });
    expect((await moneyOf(team)).balance.posted).toBe(after.balance.posted);
  });

  it('an embed step is spent from the run hold, and sent again is charged once', async () => {
    const { team, member, holdId } = await teamWithRun('Indexers');
    const before = await moneyOf(team);
    const input = {
      model: EMBEDDER,
      texts: ['first chunk', 'second chunk'],
      teamId: team.teamId,
      flowStep: { holdId, stepKey: 'run-2:each[0].embed' },
    };
    const { embed } = expectNoErrors(await callInference(member, EMBED, input));
    expect(embed.chargeStatus).toBe('CHARGED');
    expect(BigInt(embed.cost)).toBeGreaterThan(0n);
    expect(await holdNow(holdId)).toMatchObject({ spentAmount: embed.cost });
    const again = expectNoErrors(await callInference(member, EMBED, input)).embed;
    expect(again.cost).toBe(embed.cost);
    expect(await holdNow(holdId)).toMatchObject({ spentAmount: embed.cost });
    const after = await moneyOf(team);
    expect(after.holds).toEqual([{ id: holdId, purpose: 'FLOW_RUN' }]);
    expect(BigInt(before.balance.posted) - BigInt(after.balance.posted)).toBe(BigInt(embed.cost));
  });

  it('an embed step is planned apart from the operation’s other embed fields', async () => {
    const { team, member, holdId } = await teamWithRun('Mixers');
    const before = await moneyOf(team);
    // The same texts in both fields: planned together, they would be embedded and charged once.
    const texts = ['a text both fields send. '.repeat(40)];
    const op = typed<
      { step: { cost: string }; direct: { cost: string } },
      { i: Record<string, unknown>; d: Record<string, unknown> }
    >(`mutation($i: EmbedInput!, $d: EmbedInput!) {
      step: embed(input: $i) { cost } direct: embed(input: $d) { cost } }`);
    const token = await orchestration.sign(member, randomUUID(), 'service:orchestration');
    const response = await gql(stack.subgraphUrls.inference!, op, {
      variables: {
        i: { model: EMBEDDER, texts, teamId: team.teamId, flowStep: { holdId, stepKey: 'mix' } },
        d: { model: EMBEDDER, texts, teamId: team.teamId },
      },
      headers: { [INTERNAL_TOKEN_HEADER]: token },
    });
    const { step, direct } = expectNoErrors(response);
    // Each paid its own way, in full: the step from the run hold only, the other field on the
    // team's own credit lease (which inference authorizes with the default purpose, CALL).
    expect(BigInt(step.cost)).toBeGreaterThan(1n);
    expect(direct.cost).toBe(step.cost);
    expect(await holdNow(holdId)).toMatchObject({ spentAmount: step.cost });
    const after = await moneyOf(team);
    expect(BigInt(before.balance.posted) - BigInt(after.balance.posted)).toBe(
      BigInt(step.cost) + BigInt(direct.cost),
    );
    expect(after.holds.map((h) => h.purpose).sort()).toEqual(['CALL', 'FLOW_RUN']);
  });

  describe('refused, with nothing charged', () => {
    let payer: Awaited<ReturnType<typeof teamWithRun>>;
    let other: Awaited<ReturnType<typeof teamWithRun>>;
    beforeAll(async () => {
      payer = await teamWithRun('Refused');
      other = await teamWithRun('Others');
    });
    const generateFor = (flowStep: { holdId: string; stepKey: string }, extra = {}) => ({
      ...ask('Refuse me'),
      teamId: payer.team.teamId,
      flowStep,
      ...extra,
    });
    /** The payer's balance as granted, no hold but those the tests made, the run holds unspent. */
    const nothingCharged = async () => {
      const money = await moneyOf(payer.team);
      expect(money.balance.posted).toBe('100000000');
      expect(money.holds.filter((h) => !made.has(h.id))).toEqual([]);
      expect(await holdNow(payer.holdId)).toMatchObject({ spentAmount: '0', status: 'PENDING' });
      expect(await holdNow(other.holdId)).toMatchObject({ spentAmount: '0' });
    };

    it('without delegation: the same user through the gateway is FORBIDDEN', async () => {
      const input = generateFor({ holdId: payer.holdId, stepKey: 'r:gateway' });
      const response = await callInference(payer.member, GENERATE, input, 'gateway');
      expect(errorsOf(response)).toEqual([{ code: 'FORBIDDEN', path: ['generate'] }]);
      const embedded = await callInference(
        payer.member,
        EMBED,
        { model: EMBEDDER, texts: ['x'], flowStep: { holdId: payer.holdId, stepKey: 'r:e' } },
        'gateway',
      );
      expect(errorsOf(embedded)).toEqual([{ code: 'FORBIDDEN', path: ['embed'] }]);
      await nothingCharged();
    });

    it("another team's run hold is NOT_FOUND", async () => {
      const input = generateFor({ holdId: other.holdId, stepKey: 'r:other' });
      const response = await callInference(payer.member, GENERATE, input);
      expect(errorsOf(response)).toEqual([{ code: 'NOT_FOUND', path: ['generate'] }]);
      await nothingCharged();
    });

    it('a hold of purpose CALL is FORBIDDEN', async () => {
      const callHold = await openHold(payer.team.teamId, 1_000_000n, 'CALL');
      const response = await callInference(
        payer.member,
        GENERATE,
        generateFor({ holdId: callHold, stepKey: 'r:call' }),
      );
      expect(errorsOf(response)).toEqual([{ code: 'FORBIDDEN', path: ['generate'] }]);
      expect(response.body.errors?.[0]?.extensions).toMatchObject({ purpose: 'CALL' });
      await nothingCharged();
      expectNoErrors(await asOrchestration(VOID, { h: callHold }));
    });

    it('a voided run hold is FORBIDDEN', async () => {
      const ended = await openHold(payer.team.teamId, 1_000_000n);
      expectNoErrors(await asOrchestration(VOID, { h: ended }));
      const response = await callInference(
        payer.member,
        GENERATE,
        generateFor({ holdId: ended, stepKey: 'r:voided' }),
      );
      expect(errorsOf(response)).toEqual([{ code: 'FORBIDDEN', path: ['generate'] }]);
      expect(response.body.errors?.[0]?.extensions).toMatchObject({ holdStatus: 'VOIDED' });
      expect(await holdNow(ended)).toMatchObject({ status: 'VOIDED', spentAmount: '0' });
      await nothingCharged();
    });

    it('an expired run hold is HOLD_EXPIRED', async () => {
      // The ledger's clock a day behind while the hold is made: it expired long ago.
      await stack.dbs.wallet.query('INSERT INTO clock_offset (seconds) VALUES (-86400)');
      let expired: string;
      try {
        expired = await openHold(payer.team.teamId, 1_000_000n);
      } finally {
        await stack.dbs.wallet.query('DELETE FROM clock_offset');
      }
      const response = await callInference(
        payer.member,
        GENERATE,
        generateFor({ holdId: expired, stepKey: 'r:expired' }),
      );
      expect(errorsOf(response)).toEqual([{ code: 'HOLD_EXPIRED', path: ['generate'] }]);
      expect(await holdNow(expired)).toMatchObject({ spentAmount: '0' });
      await nothingCharged();
    });

    it('a worst case over what the run hold has left is BUDGET_EXCEEDED, with needed and left', async () => {
      const content = 'Too dear';
      const needed = worstCaseCost(
        chatPromptBound({ messages: [{ role: 'user', content }] }),
        MAX_TOKENS,
        CHAT_PRICE,
      );
      const small = await openHold(payer.team.teamId, needed - 1n);
      const response = await callInference(payer.member, GENERATE, {
        ...ask(content),
        teamId: payer.team.teamId,
        flowStep: { holdId: small, stepKey: 'r:dear' },
      });
      const error = expectErrorCode(response, 'BUDGET_EXCEEDED');
      expect(error.extensions).toMatchObject({
        needed: needed.toString(),
        left: (needed - 1n).toString(),
      });

      // Long enough that its worst case is well above 1 µcr at the embedder's price.
      const texts = ['a text that costs more than the hold has left. '.repeat(60)];
      const embedNeeded = worstCaseCost(embeddingInputBound(texts), 0, EMBED_PRICE);
      const tiny = await openHold(payer.team.teamId, embedNeeded - 1n);
      const embedded = await callInference(payer.member, EMBED, {
        model: EMBEDDER,
        texts,
        teamId: payer.team.teamId,
        flowStep: { holdId: tiny, stepKey: 'r:dear-embed' },
      });
      expect(expectErrorCode(embedded, 'BUDGET_EXCEEDED').extensions).toMatchObject({
        needed: embedNeeded.toString(),
        left: (embedNeeded - 1n).toString(),
      });
      expect(await holdNow(small)).toMatchObject({ status: 'PENDING', spentAmount: '0' });
      expect(await holdNow(tiny)).toMatchObject({ status: 'PENDING', spentAmount: '0' });
      await nothingCharged();
      await asOrchestration(VOID, { h: small });
      await asOrchestration(VOID, { h: tiny });
    });
  });

  it('generateStream refuses flowStep: flow steps are paid by generate', async () => {
    const { team, member, holdId } = await teamWithRun('Streamers');
    const stream = await subscribeOverSse(
      stack.subgraphUrls.inference!,
      await orchestration.sign(member, randomUUID(), 'service:orchestration'),
      `subscription($i: GenerateInput!) { generateStream(input: $i) { __typename } }`,
      { i: { ...ask('Stream me'), teamId: team.teamId, flowStep: { holdId, stepKey: 's:1' } } },
    );
    const { results } = await stream.readAll();
    expect(results.map((r) => r.errors?.map((e) => e.extensions))).toEqual([
      [expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'flowStep' })],
    ]);
    expect(await holdNow(holdId)).toMatchObject({ spentAmount: '0' });
  });

  it('policy still applies: a team that may not use the model is refused as a direct call is', async () => {
    const team = await createCallingTeam(stack, {
      name: 'Embedders only',
      allow: [{ subject: 'MODEL', value: EMBEDDER }],
    });
    const member = teamUser(team.teamId, 'MEMBER', 'user:embedder');
    const holdId = await openHold(team.teamId, 1_000_000n);
    const direct = await team.call(GENERATE, { i: ask('Not for you') });
    expect(errorsOf(direct)).toEqual([{ code: 'MODEL_NOT_ALLOWED', path: ['generate'] }]);
    const delegated = await callInference(member, GENERATE, {
      ...ask('Not for you'),
      teamId: team.teamId,
      flowStep: { holdId, stepKey: 'p:1' },
    });
    expect(errorsOf(delegated)).toEqual([{ code: 'MODEL_NOT_ALLOWED', path: ['generate'] }]);
    expect(await holdNow(holdId)).toMatchObject({ spentAmount: '0' });
  });

  it('the gateway never exposes flowStep: sending it fails validation', async () => {
    const team = await createCallingTeam(stack, { name: 'Outsiders' });
    const holdId = await openHold(team.teamId, 1_000_000n);
    // In variables: refused while coercing them, before anything runs.
    const viaVariables = await team.call(GENERATE, {
      i: { ...ask('Let me in'), flowStep: { holdId, stepKey: 'o:1' } },
    });
    expect(viaVariables.body.data ?? null).toBeNull();
    expect(errorsOf(viaVariables)).toEqual([{ code: 'BAD_USER_INPUT' }]);
    expect(viaVariables.body.errors?.[0]?.message).toMatch(
      /Field "flowStep" is not defined by type "GenerateInput"/,
    );
    // Written in the document: an unknown field, refused by validation.
    const inline = typed<{ generate: { id: string } }>(`mutation { generate(input: {
      model: "${CHAT}", messages: [{ role: USER, content: "Let me in" }],
      flowStep: { holdId: "${holdId}", stepKey: "o:2" } }) { id } }`);
    const inDocument = await team.call(inline);
    expect(inDocument.body.data ?? null).toBeNull();
    expect(errorsOf(inDocument)).toEqual([{ code: 'GRAPHQL_VALIDATION_FAILED' }]);
    const types = typed<{
      input: { inputFields: Array<{ name: string }> };
      payment: unknown;
    }>(`{ input: __type(name: "GenerateInput") { inputFields { name } }
      payment: __type(name: "FlowStepPaymentInput") { name } }`);
    const schema = expectNoErrors(await team.call(types));
    expect(schema.input.inputFields.map((f) => f.name)).not.toContain('flowStep');
    expect(schema.input.inputFields.map((f) => f.name)).toContain('idempotencyKey');
    expect(schema.payment).toBeNull();
    expect(await holdNow(holdId)).toMatchObject({ spentAmount: '0' });
  });
});
