import type { GraphQLError } from 'graphql';
import type { GenerateInput, MessageInput } from '../generated/resolvers-types.js';
import { generateRequestOf } from './inputs.js';

const USER: MessageInput = { role: 'USER', content: 'Weather in Paris?' };
const WEATHER = {
  name: 'get_weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } } },
};
const input = (more: Partial<GenerateInput>): GenerateInput => ({
  model: 'm',
  messages: [USER],
  ...more,
});

/** The BAD_USER_INPUT refusal's field and message, or a failed test if it accepted. */
function refusal(more: Partial<GenerateInput>) {
  try {
    generateRequestOf(input(more));
  } catch (error) {
    const { message, extensions } = error as GraphQLError;
    expect(extensions.code).toBe('BAD_USER_INPUT');
    return { field: extensions.field, message };
  }
  throw new Error('generateRequestOf accepted it');
}

describe('generateRequestOf with tools', () => {
  it('reads tools, tool choice and a JSON schema format', () => {
    const request = generateRequestOf(
      input({
        tools: [{ ...WEATHER, description: 'The weather.', strict: true }],
        toolChoice: { mode: 'FUNCTION', name: 'get_weather' },
        responseFormat: {
          type: 'JSON_SCHEMA',
          jsonSchema: { name: 'answer', schema: { type: 'object' }, strict: true },
        },
      }),
    );
    expect(request).toMatchObject({
      tools: [{ ...WEATHER, description: 'The weather.', strict: true }],
      toolChoice: { mode: 'FUNCTION', name: 'get_weather' },
      responseFormat: {
        type: 'JSON_SCHEMA',
        name: 'answer',
        schema: { type: 'object' },
        strict: true,
      },
    });
  });

  it('leaves out what was not asked for, and TEXT is no format', () => {
    const request = generateRequestOf(input({ responseFormat: { type: 'TEXT' } }));
    expect(request).not.toHaveProperty('tools');
    expect(request).not.toHaveProperty('responseFormat');
    expect(request).not.toHaveProperty('toolChoice');
  });

  it('reads a tool-call round trip: assistant calls without content, then TOOL results', () => {
    const request = generateRequestOf(
      input({
        tools: [WEATHER],
        messages: [
          USER,
          {
            role: 'ASSISTANT',
            toolCalls: [{ id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
          },
          { role: 'TOOL', content: '18 degrees', toolCallId: 'c1' },
        ],
      }),
    );
    expect(request.messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
      },
      { role: 'tool', content: '18 degrees', toolCallId: 'c1' },
    ]);
  });

  it.each<[string, Partial<GenerateInput>, string]>([
    ['a tool name with a space', { tools: [{ name: 'get weather' }] }, 'tools.0.name'],
    ['a tool name over 64 characters', { tools: [{ name: 'x'.repeat(65) }] }, 'tools.0.name'],
    ['two tools of one name', { tools: [WEATHER, WEATHER] }, 'tools.1.name'],
    ['an empty tool list', { tools: [] }, 'tools'],
    ['129 tools', { tools: Array.from({ length: 129 }, (_, i) => ({ name: `t${i}` })) }, 'tools'],
    [
      'parameters that are not an object',
      { tools: [{ name: 't', parameters: [1] }] },
      'tools.0.parameters',
    ],
    [
      'parameters that are a string',
      { tools: [{ name: 't', parameters: '{}' }] },
      'tools.0.parameters',
    ],
    ['toolChoice without tools', { toolChoice: { mode: 'AUTO' } }, 'toolChoice'],
    [
      'FUNCTION without a name',
      { tools: [WEATHER], toolChoice: { mode: 'FUNCTION' } },
      'toolChoice.name',
    ],
    [
      'FUNCTION naming an undeclared tool',
      { tools: [WEATHER], toolChoice: { mode: 'FUNCTION', name: 'get_time' } },
      'toolChoice.name',
    ],
    [
      'a name with mode AUTO',
      { tools: [WEATHER], toolChoice: { mode: 'AUTO', name: 'get_weather' } },
      'toolChoice.name',
    ],
    [
      'JSON_SCHEMA without jsonSchema',
      { responseFormat: { type: 'JSON_SCHEMA' } },
      'responseFormat.jsonSchema',
    ],
    [
      'jsonSchema with JSON_OBJECT',
      { responseFormat: { type: 'JSON_OBJECT', jsonSchema: { name: 'a', schema: {} } } },
      'responseFormat.jsonSchema',
    ],
    [
      'a schema that is not an object',
      { responseFormat: { type: 'JSON_SCHEMA', jsonSchema: { name: 'a', schema: 'x' } } },
      'responseFormat.jsonSchema.schema',
    ],
    [
      'a format name with a dot',
      { responseFormat: { type: 'JSON_SCHEMA', jsonSchema: { name: 'a.b', schema: {} } } },
      'responseFormat.jsonSchema.name',
    ],
    [
      'a TOOL message without toolCallId',
      { messages: [USER, { role: 'TOOL', content: 'x' }] },
      'messages.1.toolCallId',
    ],
    [
      'a TOOL message answering no earlier call',
      { messages: [USER, { role: 'TOOL', content: 'x', toolCallId: 'nope' }] },
      'messages.1.toolCallId',
    ],
    [
      'a TOOL message before the call it answers',
      {
        messages: [
          { role: 'TOOL', content: 'x', toolCallId: 'c1' },
          { role: 'ASSISTANT', toolCalls: [{ id: 'c1', name: 't', arguments: '{}' }] },
        ],
      },
      'messages.0.toolCallId',
    ],
    [
      'toolCallId on a USER message',
      { messages: [{ ...USER, toolCallId: 'c1' }] },
      'messages.0.toolCallId',
    ],
    [
      'toolCalls on a USER message',
      { messages: [{ ...USER, toolCalls: [{ id: 'c', name: 't', arguments: '{}' }] }] },
      'messages.0.toolCalls',
    ],
    [
      'an empty toolCalls list',
      { messages: [{ role: 'ASSISTANT', toolCalls: [] }] },
      'messages.0.toolCalls',
    ],
    [
      'a tool call with a bad name',
      { messages: [{ role: 'ASSISTANT', toolCalls: [{ id: 'c', name: 'a b', arguments: '{}' }] }] },
      'messages.0.toolCalls.0.name',
    ],
    [
      'a tool call without an id',
      { messages: [{ role: 'ASSISTANT', toolCalls: [{ id: '', name: 't', arguments: '{}' }] }] },
      'messages.0.toolCalls.0.id',
    ],
    ['a USER message without content', { messages: [{ role: 'USER' }] }, 'messages.0.content'],
    [
      'an ASSISTANT message with neither content nor calls',
      { messages: [{ role: 'ASSISTANT' }] },
      'messages.0.content',
    ],
    [
      'a TOOL message without content',
      {
        messages: [
          { role: 'ASSISTANT', toolCalls: [{ id: 'c1', name: 't', arguments: '{}' }] },
          { role: 'TOOL', toolCallId: 'c1' },
        ],
      },
      'messages.1.content',
    ],
  ])('refuses %s', (_what, more, field) => {
    expect(refusal(more).field).toBe(field);
  });

  it('says which tool FUNCTION named', () => {
    expect(
      refusal({ tools: [WEATHER], toolChoice: { mode: 'FUNCTION', name: 'get_time' } }).message,
    ).toBe('toolChoice names "get_time", which is not one of the tools.');
  });

  it('counts tool-call arguments towards the prompt’s characters', () => {
    const big = 'x'.repeat(600_000);
    const messages: MessageInput[] = [
      { role: 'USER', content: big },
      { role: 'ASSISTANT', toolCalls: [{ id: 'c', name: 't', arguments: big }] },
    ];
    expect(refusal({ messages }).field).toBe('messages');
  });
});
