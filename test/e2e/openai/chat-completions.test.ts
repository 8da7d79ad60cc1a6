import { DEFAULT_REPLY, expectedChatUsage } from '../../support/provider-emulators.js';
import { watchMoney } from '../../support/money-probe.js';
import { chatCost, startOpenAiStack, type OpenAiStack } from '../../support/openai-sdk.js';
import { STORE_MODES } from '../../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';

const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'The weather in a city.',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      additionalProperties: false,
    },
  },
};

/**
 * The official openai SDK, pointed at /v1, runs chat completions unchanged; every answer is a
 * Generation of the one saga, paid in the ledger.
 */
describe.each(STORE_MODES)('POST /v1/chat/completions with the openai SDK (%s stores)', (mode) => {
  let s: OpenAiStack;
  beforeAll(async () => {
    s = await startOpenAiStack(mode, 'Chat SDK users');
  }, STACK_START_TIMEOUT_MS);
  afterAll(() => s?.stop());
  beforeEach(() => s.chat.emulator.reset());

  it('answers a chat.completion, headed with its generation id, and charges its usage', async () => {
    const money = await watchMoney(s.stack, s.team, [s.chat.modelId]);
    const { data, response } = await s.client.chat.completions
      .create({
        model: s.chat.modelId,
        messages: [
          { role: 'developer', content: 'Be brief.' },
          { role: 'user', content: [{ type: 'text', text: 'Hello there' }] },
        ],
        max_tokens: 50,
        user: 'ignored',
      })
      .withResponse();
    expect(data).toMatchObject({
      object: 'chat.completion',
      model: s.chat.modelId,
      choices: [
        { index: 0, message: { role: 'assistant', content: DEFAULT_REPLY }, finish_reason: 'stop' },
      ],
    });
    const usage = expectedChatUsage([{ content: 'Be brief.' }, { content: 'Hello there' }]);
    expect(data.usage).toEqual({
      prompt_tokens: usage.inputTokens,
      completion_tokens: usage.outputTokens,
      total_tokens: usage.inputTokens + usage.outputTokens,
    });
    expect(data.id).toBe(`chatcmpl-${response.headers.get('x-modelgraph-generation-id')}`);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(s.chat.emulator.requests[0]!.body!.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hello there' },
    ]);
    await money.expectAgrees(chatCost(data.usage!));
  });

  it('replays a retried Idempotency-Key: the same completion, one provider call, one charge', async () => {
    const money = await watchMoney(s.stack, s.team, [s.chat.modelId]);
    const ask = () =>
      s.client.chat.completions.create(
        { model: s.chat.modelId, messages: [{ role: 'user', content: 'Only once please' }] },
        { headers: { 'Idempotency-Key': `once-${mode}` } },
      );
    const first = await ask();
    const again = await ask();
    expect(again.id).toBe(first.id);
    expect(again.choices[0]!.message.content).toBe(first.choices[0]!.message.content);
    expect(s.chat.emulator.requests).toHaveLength(1);
    await money.expectAgrees(chatCost(first.usage!));
  });

  it('passes tools to the provider and answers its tool calls; a tool result goes back', async () => {
    const called = await s.client.chat.completions.create({
      model: s.chat.modelId,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [WEATHER_TOOL],
      tool_choice: 'required',
    });
    const choice = called.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    const call = choice.message.tool_calls![0]!;
    expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
    if (call.type !== 'function') throw new Error('not a function call');
    expect(JSON.parse(call.function.arguments)).toHaveProperty('city');
    expect(s.chat.emulator.requests[0]!.body).toMatchObject({
      tools: [WEATHER_TOOL],
      tool_choice: 'required',
    });

    const answered = await s.client.chat.completions.create({
      model: s.chat.modelId,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: '{"celsius": 21}' },
      ],
      tools: [WEATHER_TOOL],
    });
    expect(answered.choices[0]!.finish_reason).toBe('stop');
    expect(s.chat.emulator.requests[1]!.body!.messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      expect.objectContaining({ role: 'assistant', tool_calls: [call] }),
      { role: 'tool', tool_call_id: call.id, content: '{"celsius": 21}' },
    ]);
  });

  it('asks for a json_schema answer and gets JSON that parses', async () => {
    const schema = {
      type: 'object',
      properties: { answer: { type: 'string' } },
      required: ['answer'],
      additionalProperties: false,
    };
    const completion = await s.client.chat.completions.create({
      model: s.chat.modelId,
      messages: [{ role: 'user', content: 'Answer in JSON' }],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'reply', schema, strict: true },
      },
    });
    const parsed = JSON.parse(completion.choices[0]!.message.content!);
    expect(typeof parsed.answer).toBe('string');
    expect(s.chat.emulator.requests[0]!.body).toMatchObject({
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'reply', schema, strict: true },
      },
    });
  });

  it('refuses n other than 1 with a 400 naming the parameter, before any provider call', async () => {
    const refused = await s.client.chat.completions
      .create({ model: s.chat.modelId, messages: [{ role: 'user', content: 'Two' }], n: 2 })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 400, param: 'n', type: 'invalid_request_error' });
    expect(s.chat.emulator.requests).toHaveLength(0);
  });

  it('serves the README curl: a route alias answered by the local model, streamed too', async () => {
    const post = (body: Record<string, unknown>) =>
      fetch(`${s.stack.gatewayBase}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.team.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'demo-chat',
          messages: [{ role: 'user', content: 'Hello' }],
          ...body,
        }),
      });
    const plain = await post({});
    expect(plain.status).toBe(200);
    const completion = await plain.json();
    expect(completion).toMatchObject({ object: 'chat.completion', model: 'local/echo-chat' });
    const streamed = await post({ stream: true });
    expect(streamed.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = (await streamed.text()).split('\n\n').filter((e) => e.startsWith('data: '));
    expect(events[events.length - 1]).toBe('data: [DONE]');
    const text = events
      .slice(0, -1)
      .map((e) => JSON.parse(e.slice('data: '.length)).choices[0]?.delta.content ?? '')
      .join('');
    expect(text).toBe(completion.choices[0].message.content);
  });
});
