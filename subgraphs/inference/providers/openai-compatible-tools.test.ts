import {
  argumentPieces,
  callTokens,
  startOpenAiEmulator,
  valueForSchema,
} from '../../../test/support/provider-emulators.js';
import {
  collectStream,
  providerErrorOf,
  useEmulatedAdapter,
} from '../../../test/support/provider-call-helpers.js';
import { createOpenAiCompatibleAdapter } from './openai-compatible.js';
import { joinToolCallPieces } from './tool-call-pieces.js';
import type { ChatMessage, ChatRequest, ToolDefinition } from './types.js';

const API_KEY = 'sk-test-tools';
const WEATHER: ToolDefinition = {
  name: 'get_weather',
  description: 'The weather in a city.',
  parameters: {
    type: 'object',
    properties: {
      city: { type: 'string', description: 'The city.' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      days: { type: 'integer' },
    },
    required: ['city', 'unit', 'days'],
    additionalProperties: false,
  },
  strict: true,
};
const TIME: ToolDefinition = {
  name: 'get_time',
  parameters: { type: 'object', properties: { zone: { type: 'string' } } },
};
const QUESTION: ChatMessage[] = [{ role: 'user', content: 'What is the weather in Paris?' }];
const REQUEST: ChatRequest = { model: 'gpt-test', messages: QUESTION, maxTokens: 64 };
const CALL_ID = expect.stringMatching(/^call_emulator_\d+_0$/) as unknown as string;
const call = () => ({ signal: AbortSignal.timeout(5_000) });
const weatherArguments = JSON.stringify(valueForSchema(WEATHER.parameters));

const emulated = useEmulatedAdapter(startOpenAiEmulator, createOpenAiCompatibleAdapter, API_KEY);

describe('tools', () => {
  it('sends tools and tool_choice in OpenAI’s shape and returns the tool calls', async () => {
    const result = await emulated.adapter.chat(
      { ...REQUEST, tools: [WEATHER, TIME], toolChoice: { mode: 'FUNCTION', name: 'get_weather' } },
      call(),
    );

    expect(result).toEqual({
      text: '',
      toolCalls: [{ id: CALL_ID, name: 'get_weather', arguments: weatherArguments }],
      finishReason: 'TOOL_CALLS',
      model: 'gpt-test',
      usage: {
        inputTokens: 6, // the words of the question
        outputTokens: callTokens([{ name: '', arguments: weatherArguments }]),
      },
    });
    expect(emulated.emulator.requests[0]?.body).toMatchObject({
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'The weather in a city.',
            parameters: WEATHER.parameters,
            strict: true,
          },
        },
        { type: 'function', function: { name: 'get_time', parameters: TIME.parameters } },
      ],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
  });

  it.each([
    [{ mode: 'AUTO' as const }, 'auto'],
    [{ mode: 'NONE' as const }, 'none'],
    [{ mode: 'REQUIRED' as const }, 'required'],
  ])('sends tool choice %j as %s', async (toolChoice, wire) => {
    await emulated.adapter.chat({ ...REQUEST, tools: [WEATHER], toolChoice }, call());
    expect(emulated.emulator.requests[0]?.body?.tool_choice).toBe(wire);
  });

  it('sends the tool results back and gets the answer (a round trip)', async () => {
    const first = await emulated.adapter.chat({ ...REQUEST, tools: [WEATHER] }, call());
    const messages: ChatMessage[] = [
      ...QUESTION,
      { role: 'assistant', content: '', toolCalls: first.toolCalls },
      { role: 'tool', content: '18 degrees, sunny', toolCallId: first.toolCalls![0]!.id },
    ];
    const second = await emulated.adapter.chat({ ...REQUEST, messages, tools: [WEATHER] }, call());

    expect(second).toMatchObject({
      text: 'Hello from the provider emulator.',
      finishReason: 'STOP',
    });
    expect(second.toolCalls).toBeUndefined();
    expect(emulated.emulator.requests[1]?.body?.messages).toEqual([
      { role: 'user', content: 'What is the weather in Paris?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: first.toolCalls![0]!.id,
            type: 'function',
            function: { name: 'get_weather', arguments: weatherArguments },
          },
        ],
      },
      { role: 'tool', tool_call_id: first.toolCalls![0]!.id, content: '18 degrees, sunny' },
    ]);
  });

  it('is refused by the provider when a tool result answers no call', async () => {
    const messages: ChatMessage[] = [
      ...QUESTION,
      { role: 'tool', content: 'orphan', toolCallId: 'call_unknown' },
    ];
    const error = await providerErrorOf(emulated.adapter.chat({ ...REQUEST, messages }, call()));
    expect(error).toMatchObject({ kind: 'BAD_REQUEST', status: 400 });
  });
});

describe('streamed tool calls', () => {
  it('yields the tool-call pieces as sent, which join back into the calls exactly', async () => {
    const request = {
      ...REQUEST,
      tools: [WEATHER, TIME],
      toolChoice: { mode: 'REQUIRED' as const },
    };
    const chunks = await collectStream(emulated.adapter.chatStream(request, call()));

    const pieces = chunks.flatMap((c) => (c.type === 'toolCall' ? [c.delta] : []));
    const timeArguments = JSON.stringify(valueForSchema(TIME.parameters));
    // Per call: a first piece with id and name, then the arguments in several pieces.
    expect(pieces).toHaveLength(
      2 + argumentPieces(weatherArguments).length + argumentPieces(timeArguments).length,
    );
    expect(argumentPieces(weatherArguments).length).toBeGreaterThan(1);
    expect(pieces[0]).toEqual({
      index: 0,
      id: CALL_ID,
      name: 'get_weather',
      arguments: '',
    });
    expect(pieces[1]).toEqual({ index: 0, arguments: argumentPieces(weatherArguments)[0] });
    expect(joinToolCallPieces(pieces)).toEqual([
      { id: pieces[0]!.id, name: 'get_weather', arguments: weatherArguments },
      { id: pieces[0]!.id!.replace(/_0$/, '_1'), name: 'get_time', arguments: timeArguments },
    ]);
    expect(chunks.some((c) => c.type === 'delta')).toBe(false);
    expect(chunks.at(-1)).toMatchObject({ type: 'done', finishReason: 'TOOL_CALLS' });
  });
});

describe('answer formats', () => {
  const SCHEMA = {
    type: 'object',
    properties: { name: { type: 'string' }, age: { type: 'integer' } },
    required: ['name', 'age'],
    additionalProperties: false,
  };

  it('passes json_schema with strict through and gets JSON matching the schema', async () => {
    const result = await emulated.adapter.chat(
      {
        ...REQUEST,
        responseFormat: { type: 'JSON_SCHEMA', name: 'person', schema: SCHEMA, strict: true },
      },
      call(),
    );
    expect(JSON.parse(result.text)).toEqual({ name: 'name-text', age: 1 });
    expect(emulated.emulator.requests[0]?.body?.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'person', schema: SCHEMA, strict: true },
    });
  });

  it('streams a json_object answer in pieces that join into a JSON object', async () => {
    const messages: ChatMessage[] = [{ role: 'user', content: 'Answer in JSON, please.' }];
    const chunks = await collectStream(
      emulated.adapter.chatStream(
        { ...REQUEST, messages, responseFormat: { type: 'JSON_OBJECT' } },
        call(),
      ),
    );
    const deltas = chunks.flatMap((c) => (c.type === 'delta' ? [c.text] : []));
    expect(deltas.length).toBeGreaterThan(1);
    expect(JSON.parse(deltas.join(''))).toEqual({
      reply: 'Hello from the provider emulator.',
    });
    expect(emulated.emulator.requests[0]?.body?.response_format).toEqual({ type: 'json_object' });
  });
});
