import { expectErrorCode, expectNoErrors } from '../../support/graphql-client.js';
import { startEmulatedStack, type EmulatedStack } from '../../support/emulated-deployments.js';
import { HOLDS, type Generation } from '../../support/inference-documents.js';
import { createCallingTeam, type CallingTeam } from '../../support/inference-setup.js';
import { chargesOf, watchMoney } from '../../support/money-probe.js';
import { valueForSchema } from '../../support/provider-emulators.js';
import type { Stack } from '../../support/stack.js';
import { STORE_MODES } from '../../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';
import { typed } from '../../support/typed-document.js';
import { DEFAULT_INFERENCE_SETTINGS } from '../../../subgraphs/inference/config.js';
import { chatPromptBound, worstCaseCost } from '../../../subgraphs/inference/service/cost.js';

type ToolCall = { id: string; name: string; arguments: string };
const GENERATE_WITH_TOOLS = typed<
  { generate: Generation & { toolCalls: ToolCall[] } },
  { i: Record<string, unknown> }
>(`mutation($i: GenerateInput!) { generate(input: $i) {
  id text finishReason cost cached model { id } toolCalls { id name arguments }
  usage { inputTokens outputTokens totalTokens }
  attempts { model { id } provider outcome error httpStatus latencyMs retryAfterMs } } }`);

const WEATHER = {
  name: 'get_weather',
  description: 'The weather in a city.',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius'] } },
    required: ['city', 'unit'],
    additionalProperties: false,
  },
  strict: true,
};
const QUESTION = { role: 'USER', content: 'What is the weather in Paris' };
const PERSON = {
  name: 'person',
  schema: {
    type: 'object',
    properties: { name: { type: 'string' }, age: { type: 'integer' } },
    required: ['name', 'age'],
  },
  strict: true,
};
const PRICE = { inputPerMillion: '1000000', outputPerMillion: '2000000' };

describe.each(STORE_MODES)('tools and answer formats through generate (%s stores)', (mode) => {
  let emulated: EmulatedStack;
  let stack: Stack;
  let team: CallingTeam;
  const generate = (i: Record<string, unknown>) => team.call(GENERATE_WITH_TOOLS, { i });

  beforeAll(async () => {
    emulated = await startEmulatedStack(mode, {
      team: 'Tool callers',
      settings: { catalogCacheMs: 0 },
    });
    ({ stack, team } = emulated);
  }, STACK_START_TIMEOUT_MS);
  afterAll(() => emulated?.stop());

  it('returns the tool calls, holds for the tools too, and charges what the provider reported', async () => {
    const openai = await emulated.deployments.deploy('tools-openai', { price: PRICE });
    const money = await watchMoney(stack, team, [openai.modelId]);
    // An idempotency key: the call takes a hold of its own, sized for this one call.
    const { generate: reply } = expectNoErrors(
      await generate({
        model: openai.modelId,
        messages: [QUESTION],
        maxTokens: 40,
        tools: [WEATHER],
        idempotencyKey: 'weather-in-paris',
      }),
    );

    expect(reply.finishReason).toBe('TOOL_CALLS');
    expect(reply.text).toBe('');
    expect(reply.toolCalls).toEqual([
      {
        id: expect.stringMatching(/^call_emulator_/),
        name: 'get_weather',
        arguments: JSON.stringify(valueForSchema(WEATHER.parameters)),
      },
    ]);
    expect(openai.emulator.requests[0]!.body).toMatchObject({
      tools: [{ type: 'function', function: WEATHER }],
    });
    // The hold covered the tool definitions, which the provider bills as prompt.
    const [hold] = expectNoErrors(await team.call(HOLDS, { id: team.teamId })).team.wallet.holds;
    const bound = chatPromptBound({
      messages: [{ role: 'user', content: QUESTION.content }],
      tools: [WEATHER],
    });
    expect(hold!.amount).toBe(worstCaseCost(bound, 40, { version: 1, ...PRICE }).toString());
    expect(bound).toBeGreaterThan(
      chatPromptBound({ messages: [{ role: 'user', content: QUESTION.content }] }) +
        JSON.stringify(WEATHER).length,
    );
    expect(BigInt(reply.cost)).toBe(
      BigInt(reply.usage.inputTokens) + 2n * BigInt(reply.usage.outputTokens),
    );
    await money.expectAgrees(BigInt(reply.cost));
  });

  it('a call without a key is served from a credit lease of many calls’ worth, tools included', async () => {
    const openai = await emulated.deployments.deploy('tools-lease', { price: PRICE });
    const lessee = await createCallingTeam(stack, { name: 'Tool lessees' });
    const money = await watchMoney(stack, lessee, [openai.modelId]);
    const { generate: reply } = expectNoErrors(
      await lessee.call(GENERATE_WITH_TOOLS, {
        i: { model: openai.modelId, messages: [QUESTION], maxTokens: 40, tools: [WEATHER] },
      }),
    );
    expect(reply.finishReason).toBe('TOOL_CALLS');
    const bound = chatPromptBound({
      messages: [{ role: 'user', content: QUESTION.content }],
      tools: [WEATHER],
    });
    const worst = worstCaseCost(bound, 40, { version: 1, ...PRICE });
    const {
      holds: [lease],
      entries,
    } = await chargesOf(lessee);
    expect(lease).toMatchObject({
      amount: (BigInt(DEFAULT_INFERENCE_SETTINGS.creditLeases.calls) * worst).toString(),
      spentAmount: reply.cost,
    });
    expect(entries).toEqual([
      expect.objectContaining({ kind: 'SPEND', amount: reply.cost, relatedId: lease!.id }),
    ]);
    await money.expectAgrees(BigInt(reply.cost));
  });

  it('takes the tool results back and answers in text (a round trip)', async () => {
    const openai = await emulated.deployments.deploy('tools-round-trip');
    const first = expectNoErrors(
      await generate({ model: openai.modelId, messages: [QUESTION], tools: [WEATHER] }),
    ).generate;
    const [toolCall] = first.toolCalls;
    const { generate: second } = expectNoErrors(
      await generate({
        model: openai.modelId,
        tools: [WEATHER],
        messages: [
          QUESTION,
          { role: 'ASSISTANT', toolCalls: first.toolCalls },
          { role: 'TOOL', content: '18 degrees and sunny', toolCallId: toolCall!.id },
        ],
      }),
    );
    expect(second).toMatchObject({
      text: 'Hello from the provider emulator.',
      finishReason: 'STOP',
    });
    expect(second.toolCalls).toEqual([]);
    expect(openai.emulator.requests[1]!.body!.messages!.slice(1)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: toolCall!.id,
            type: 'function',
            function: { name: toolCall!.name, arguments: toolCall!.arguments },
          },
        ],
      },
      { role: 'tool', tool_call_id: toolCall!.id, content: '18 degrees and sunny' },
    ]);
  });

  it('maps tools to Anthropic’s shape and returns its tool_use as tool calls', async () => {
    const claude = await emulated.deployments.deploy('tools-anthropic', { kind: 'ANTHROPIC' });
    const { generate: reply } = expectNoErrors(
      await generate({
        model: claude.modelId,
        messages: [QUESTION],
        tools: [WEATHER],
        toolChoice: { mode: 'REQUIRED' },
      }),
    );
    expect(reply.finishReason).toBe('TOOL_CALLS');
    expect(reply.toolCalls.map((c) => [c.name, JSON.parse(c.arguments)])).toEqual([
      ['get_weather', { city: 'city-text', unit: 'celsius' }],
    ]);
    expect(claude.emulator.requests[0]!.body).toMatchObject({
      tools: [{ name: 'get_weather', input_schema: WEATHER.parameters }],
      tool_choice: { type: 'any' },
    });
  });

  it('passes a strict json_schema through and answers JSON that matches it', async () => {
    const openai = await emulated.deployments.deploy('json-schema');
    const { generate: reply } = expectNoErrors(
      await generate({
        model: openai.modelId,
        messages: [{ role: 'USER', content: 'Who is Ada?' }],
        responseFormat: { type: 'JSON_SCHEMA', jsonSchema: PERSON },
      }),
    );
    expect(JSON.parse(reply.text)).toEqual({ name: 'name-text', age: 1 });
    expect(openai.emulator.requests[0]!.body!.response_format).toEqual({
      type: 'json_schema',
      json_schema: PERSON,
    });
  });

  it('refuses a format or tools the model lacks the capability for, calling no provider', async () => {
    const claude = await emulated.deployments.deploy('no-structured', { kind: 'ANTHROPIC' });
    const plain = await emulated.deployments.deploy('no-tools', {
      capabilities: ['CHAT', 'STREAMING'],
    });
    const money = await watchMoney(stack, team, [claude.modelId, plain.modelId]);

    const schema = await generate({
      model: claude.modelId,
      messages: [QUESTION],
      responseFormat: { type: 'JSON_SCHEMA', jsonSchema: PERSON },
    });
    const error = expectErrorCode(schema, 'BAD_USER_INPUT');
    expect(error.extensions).toMatchObject({
      field: 'responseFormat',
      capability: 'STRUCTURED_OUTPUT',
      model: claude.modelId,
    });
    expect(error.message).toBe(
      `"${claude.modelId}" cannot take a JSON_SCHEMA answer: model ${claude.modelId} lacks the STRUCTURED_OUTPUT capability.`,
    );
    const tools = await generate({ model: plain.modelId, messages: [QUESTION], tools: [WEATHER] });
    expect(expectErrorCode(tools, 'BAD_USER_INPUT').extensions).toMatchObject({
      field: 'tools',
      capability: 'TOOLS',
      model: plain.modelId,
    });
    expect(claude.emulator.requests).toHaveLength(0);
    expect(plain.emulator.requests).toHaveLength(0);
    await money.expectAgrees(0n);
  });

  it('routes a call with tools past the route’s models that lack TOOLS', async () => {
    const plain = await emulated.deployments.deploy('route-plain', { capabilities: ['CHAT'] });
    const tooled = await emulated.deployments.deploy('route-tooled');
    const alias = await emulated.deployments.route('tools-route', 'FALLBACK', [plain, tooled]);
    const { generate: reply } = expectNoErrors(
      await generate({ model: alias, messages: [QUESTION], tools: [WEATHER] }),
    );
    expect(reply.model.id).toBe(tooled.modelId);
    expect(reply.attempts.map((a) => a.model.id)).toEqual([tooled.modelId]);
    // Without tools, the route's first model answers as before.
    const { generate: text } = expectNoErrors(
      await generate({ model: alias, messages: [QUESTION] }),
    );
    expect(text.model.id).toBe(plain.modelId);
  });

  it('keeps calls that differ only in tools apart in the cache and under one idempotency key', async () => {
    const openai = await emulated.deployments.deploy('tools-cache');
    const call = { model: openai.modelId, messages: [QUESTION], temperature: 0 };
    expectNoErrors(await generate(call));
    const withTools = expectNoErrors(await generate({ ...call, tools: [WEATHER] })).generate;
    expect(withTools.cached).toBe(false);
    expect(withTools.finishReason).toBe('TOOL_CALLS');
    expect(openai.emulator.requests).toHaveLength(2);
    // The cache answers the repeat with the tool calls it kept.
    const repeat = expectNoErrors(await generate({ ...call, tools: [WEATHER] })).generate;
    expect(repeat).toMatchObject({ cached: true, toolCalls: withTools.toolCalls });
    expect(openai.emulator.requests).toHaveLength(2);

    const keyed = { ...call, temperature: 1, idempotencyKey: 'tools-key-1' };
    expectNoErrors(await generate({ ...keyed, tools: [WEATHER] }));
    expectErrorCode(await generate(keyed), 'IDEMPOTENCY_CONFLICT');
  });
});
