import { expectErrorCode, expectNoErrors } from '../../support/graphql-client.js';
import { createCallingTeam, GENERATE, type CallingTeam } from '../../support/inference-setup.js';
import { startStack, type Stack } from '../../support/stack.js';
import { STORE_MODES } from '../../support/test-env.js';
import {
  countChatTokens,
  countTokens,
} from '../../../subgraphs/inference/providers/token-count.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';

// local/echo-chat: 100,000 µcr per million input tokens, 200,000 per million output tokens.
const cost = (input: number, output: number) =>
  Math.ceil((input * 100_000) / 1_000_000) + Math.ceil((output * 200_000) / 1_000_000);

describe.each(STORE_MODES)('calls to the built-in local models (%s stores)', (mode) => {
  let stack: Stack;
  let team: CallingTeam;
  beforeAll(async () => {
    stack = await startStack({ mode });
    team = await createCallingTeam(stack, { name: 'Local callers' });
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  });

  it('generates, charges usage × price and shows it in the ledger', async () => {
    const before = await team.settledBalance();
    const messages = [{ role: 'USER', content: 'Hello there, platform' }];
    const { generate } = expectNoErrors(
      await team.call(GENERATE, { i: { model: 'local/echo-chat', messages, maxTokens: 64 } }),
    );
    expect(generate.text).toMatch(/^Echo: Hello there, platform/);
    expect(generate.model.id).toBe('local/echo-chat');
    expect(generate.cached).toBe(false);
    expect(generate.usage.inputTokens).toBe(
      countChatTokens([{ role: 'user', content: 'Hello there, platform' }]),
    );
    expect(generate.usage.outputTokens).toBe(countTokens(generate.text));
    expect(generate.cost).toBe(
      String(cost(generate.usage.inputTokens, generate.usage.outputTokens)),
    );
    expect(generate.attempts).toEqual([
      expect.objectContaining({ model: { id: 'local/echo-chat' }, outcome: 'SUCCEEDED' }),
    ]);
    const after = await team.settledBalance();
    expect(BigInt(before.available) - BigInt(after.available)).toBe(BigInt(generate.cost));
  });

  it('embeds every aliased field of one operation', async () => {
    const { a, b } = expectNoErrors(
      await team.call<{
        a: { dimensions: number; vectors: number[][] };
        b: { dimensions: number; vectors: number[][] };
      }>(`mutation {
        a: embed(input: { model: "local/hash-embed", texts: ["one cat", "two dogs"] }) {
          dimensions vectors cost cachedCount usage { inputTokens } }
        b: embed(input: { model: "embed-default", texts: ["two dogs"] }) { dimensions vectors cost }
      }`),
    );
    expect(a.dimensions).toBe(256);
    expect(a.vectors).toHaveLength(2);
    expect(b.vectors[0]).toEqual(a.vectors[1]);
  });

  it('refuses a model the team may not use', async () => {
    const other = await createCallingTeam(stack, {
      name: 'Embedders only',
      allow: [{ subject: 'CAPABILITY', value: 'EMBEDDING' }],
    });
    expectErrorCode(
      await other.call(GENERATE, {
        i: { model: 'local/echo-chat', messages: [{ role: 'USER', content: 'hi' }] },
      }),
      'MODEL_NOT_ALLOWED',
    );
  });
});
