import { readChatRequest } from './chat-request.js';
import { OpenAiError } from './errors.js';

const refusal = (body: unknown) => {
  try {
    readChatRequest(body, undefined, undefined);
  } catch (error) {
    if (error instanceof OpenAiError) return { status: error.status, param: error.param };
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('readChatRequest', () => {
  it('maps OpenAI messages, tools, tool choice and format to GenerateInput', () => {
    const call = readChatRequest(
      {
        model: 'openai/gpt-4o-mini',
        messages: [
          { role: 'developer', content: 'Be brief.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'a' },
              { type: 'text', text: 'b' },
            ],
          },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
          },
          { role: 'tool', tool_call_id: 'c1', content: 'done' },
        ],
        max_tokens: 10,
        max_completion_tokens: 20,
        temperature: 0,
        tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
        tool_choice: { type: 'function', function: { name: 'f' } },
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'r', schema: {}, strict: true },
        },
        stream: true,
        stream_options: { include_usage: true },
        user: 'ignored',
        n: 1,
      },
      'key-1',
      'team-1',
    );
    expect(call).toEqual({
      model: 'openai/gpt-4o-mini',
      stream: true,
      includeUsage: true,
      input: {
        model: 'openai/gpt-4o-mini',
        messages: [
          { role: 'SYSTEM', content: 'Be brief.' },
          { role: 'USER', content: 'a\nb' },
          {
            role: 'ASSISTANT',
            content: null,
            toolCalls: [{ id: 'c1', name: 'f', arguments: '{}' }],
          },
          { role: 'TOOL', content: 'done', toolCallId: 'c1' },
        ],
        maxTokens: 20,
        temperature: 0,
        tools: [{ name: 'f', parameters: { type: 'object' } }],
        toolChoice: { mode: 'FUNCTION', name: 'f' },
        responseFormat: {
          type: 'JSON_SCHEMA',
          jsonSchema: { name: 'r', schema: {}, strict: true },
        },
        idempotencyKey: 'key-1',
        teamId: 'team-1',
      },
    });
  });

  it('refuses what it cannot serve, naming the parameter', () => {
    const messages = [{ role: 'user', content: 'x' }];
    expect(refusal({ messages })).toEqual({ status: 400, param: 'model' });
    expect(refusal({ model: 'm', messages: [] })).toEqual({ status: 400, param: 'messages' });
    expect(refusal({ model: 'm', messages, n: 2 })).toEqual({ status: 400, param: 'n' });
    expect(
      refusal({ model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url' }] }] }),
    ).toEqual({ status: 400, param: 'messages[0].content[0]' });
    expect(refusal({ model: 'm', messages: [{ role: 'tool', content: 'x' }] })).toEqual({
      status: 400,
      param: 'messages[0].tool_call_id',
    });
    expect(refusal({ model: 'm', messages, tool_choice: 'sometimes' })).toEqual({
      status: 400,
      param: 'tool_choice',
    });
    expect(refusal({ model: 'm', messages, response_format: { type: 'yaml' } })).toEqual({
      status: 400,
      param: 'response_format',
    });
  });
});
