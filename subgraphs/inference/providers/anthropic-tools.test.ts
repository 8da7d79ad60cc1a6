import {
  argumentPieces,
  startAnthropicEmulator,
  valueForSchema,
} from '../../../test/support/provider-emulators.js';
import {
  collectStream,
  providerErrorOf,
  useEmulatedAdapter,
} from '../../../test/support/provider-call-helpers.js';
import { createAnthropicAdapter } from './anthropic.js';
import { joinToolCallPieces } from './tool-call-pieces.js';
import type { ChatMessage, ChatRequest, ToolDefinition } from './types.js';

const API_KEY = 'sk-ant-tools';
const WEATHER: ToolDefinition = {
  name: 'get_weather',
  description: 'The weather in a city.',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' }, days: { type: 'integer' } },
    required: ['city'],
  },
};
const PING: ToolDefinition = { name: 'ping' };
const QUESTION: ChatMessage[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Weather in Paris?' },
];
const REQUEST: ChatRequest = { model: 'claude-test', messages: QUESTION, maxTokens: 64 };
const call = () => ({ signal: AbortSignal.timeout(5_000) });
const weatherArguments = JSON.stringify(valueForSchema(WEATHER.parameters));

const emulated = useEmulatedAdapter(startAnthropicEmulator, createAnthropicAdapter, API_KEY);

describe('tools in Anthropic’s shape', () => {
  it('sends tools with input_schema and returns tool_use blocks as tool calls', async () => {
    const result = await emulated.adapter.chat(
      { ...REQUEST, tools: [WEATHER, PING], toolChoice: { mode: 'FUNCTION', name: 'get_weather' } },
      call(),
    );

    expect(result.finishReason).toBe('TOOL_CALLS');
    expect(result.text).toBe('');
    expect(result.toolCalls).toEqual([
      { id: expect.stringMatching(/^toolu_/), name: 'get_weather', arguments: weatherArguments },
    ]);
    expect(emulated.emulator.requests[0]?.body).toMatchObject({
      system: 'You are terse.',
      tools: [
        {
          name: 'get_weather',
          description: 'The weather in a city.',
          input_schema: WEATHER.parameters,
        },
        // A tool without parameters takes an empty object, as Anthropic requires a schema.
        { name: 'ping', input_schema: { type: 'object', properties: {} } },
      ],
      tool_choice: { type: 'tool', name: 'get_weather' },
    });
  });

  it.each([
    [{ mode: 'AUTO' as const }, { type: 'auto' }],
    [{ mode: 'NONE' as const }, { type: 'none' }],
    [{ mode: 'REQUIRED' as const }, { type: 'any' }],
  ])('maps tool choice %j to %j', async (toolChoice, wire) => {
    await emulated.adapter.chat({ ...REQUEST, tools: [WEATHER], toolChoice }, call());
    expect(emulated.emulator.requests[0]?.body?.tool_choice).toEqual(wire);
  });

  it('sends calls as tool_use and results as one user turn of tool_result blocks', async () => {
    const first = await emulated.adapter.chat(
      { ...REQUEST, tools: [WEATHER, PING], toolChoice: { mode: 'REQUIRED' } },
      call(),
    );
    expect(first.toolCalls).toHaveLength(2);
    const [weather, ping] = first.toolCalls!;
    const messages: ChatMessage[] = [
      ...QUESTION,
      { role: 'assistant', content: 'Let me look.', toolCalls: first.toolCalls },
      { role: 'tool', content: '18 degrees', toolCallId: weather!.id },
      { role: 'tool', content: 'pong', toolCallId: ping!.id },
    ];
    const second = await emulated.adapter.chat(
      { ...REQUEST, messages, tools: [WEATHER, PING] },
      call(),
    );

    expect(second).toMatchObject({
      text: 'Hello from the provider emulator.',
      finishReason: 'STOP',
    });
    expect(emulated.emulator.requests[1]?.body?.messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me look.' },
          {
            type: 'tool_use',
            id: weather!.id,
            name: 'get_weather',
            input: JSON.parse(weatherArguments),
          },
          { type: 'tool_use', id: ping!.id, name: 'ping', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: weather!.id, content: '18 degrees' },
          { type: 'tool_result', tool_use_id: ping!.id, content: 'pong' },
        ],
      },
    ]);
  });

  it('refuses a tool call whose arguments are not a JSON object, before sending', async () => {
    const messages: ChatMessage[] = [
      ...QUESTION,
      { role: 'assistant', content: '', toolCalls: [{ id: 't1', name: 'ping', arguments: '[1' }] },
      { role: 'tool', content: 'x', toolCallId: 't1' },
    ];
    const error = await providerErrorOf(emulated.adapter.chat({ ...REQUEST, messages }, call()));
    expect(error.kind).toBe('BAD_REQUEST');
    expect(emulated.emulator.requests).toHaveLength(0);
  });

  it.each([
    { type: 'JSON_OBJECT' as const },
    { type: 'JSON_SCHEMA' as const, name: 'x', schema: { type: 'object' } },
  ])('refuses answer format $type with BAD_REQUEST, sending nothing', async (responseFormat) => {
    const error = await providerErrorOf(
      emulated.adapter.chat({ ...REQUEST, responseFormat }, call()),
    );
    expect(error.kind).toBe('BAD_REQUEST');
    expect(error.message).toContain(responseFormat.type);
    expect(emulated.emulator.requests).toHaveLength(0);
  });
});

describe('streamed tool_use', () => {
  it('yields a first piece per call from content_block_start, then input_json_delta pieces', async () => {
    const chunks = await collectStream(
      emulated.adapter.chatStream(
        { ...REQUEST, tools: [WEATHER, PING], toolChoice: { mode: 'REQUIRED' } },
        call(),
      ),
    );
    const pieces = chunks.flatMap((c) => (c.type === 'toolCall' ? [c.delta] : []));

    expect(pieces[0]).toEqual({
      index: 0,
      id: expect.stringMatching(/^toolu_/),
      name: 'get_weather',
      arguments: '',
    });
    const weatherPieces = pieces.filter((p) => p.index === 0).slice(1);
    expect(weatherPieces.map((p) => p.arguments)).toEqual(argumentPieces(weatherArguments));
    expect(weatherPieces.length).toBeGreaterThan(1);
    expect(joinToolCallPieces(pieces)).toEqual([
      { id: pieces[0]!.id, name: 'get_weather', arguments: weatherArguments },
      { id: expect.stringMatching(/^toolu_/), name: 'ping', arguments: '{}' },
    ]);
    expect(chunks.at(-1)).toMatchObject({ type: 'done', finishReason: 'TOOL_CALLS' });
  });
});
