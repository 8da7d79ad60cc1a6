import { chatCompletion, createChunkMaker } from './chat-response.js';
import { base64Vector } from './embeddings.js';
import { fromGraphQLError } from './errors.js';

const generation = {
  id: 'g1',
  model: { id: 'openai/gpt-4o-mini' },
  text: '',
  toolCalls: [{ id: 'c1', name: 'f', arguments: '{"a":1}' }],
  finishReason: 'TOOL_CALLS',
  usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 },
  createdAt: '2026-01-01T00:00:00Z',
};

describe('OpenAI wire format', () => {
  it('answers tool calls with null content and finish_reason tool_calls', () => {
    expect(chatCompletion(generation)).toMatchObject({
      id: 'chatcmpl-g1',
      created: 1767225600,
      choices: [
        {
          message: {
            content: null,
            tool_calls: [
              { id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
    });
    expect(
      chatCompletion({ ...generation, finishReason: 'CANCELLED' }).choices[0]!.finish_reason,
    ).toBe('stop');
  });

  it('streams tool-call pieces with id, type and name on the first piece only', () => {
    const chunks = createChunkMaker({
      generationId: 'g1',
      model: 'm',
      created: 1,
      includeUsage: false,
    });
    const delta = (id: string | null, name: string | null, args: string) =>
      chunks.delta({
        __typename: 'GenerationDelta',
        generationId: 'g1',
        text: '',
        toolCalls: [{ index: 0, id, name, arguments: args }],
      })!.choices[0]!.delta;
    expect(delta('c1', 'f', '{"a"')).toEqual({
      tool_calls: [
        { index: 0, id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a"' } },
      ],
    });
    expect(delta(null, null, ':1}')).toEqual({
      tool_calls: [{ index: 0, function: { arguments: ':1}' } }],
    });
    expect(
      chunks.delta({ __typename: 'GenerationDelta', generationId: 'g1', text: '', toolCalls: [] }),
    ).toBeNull();
  });

  it('encodes base64 vectors as little-endian float32', () => {
    const bytes = Buffer.from(base64Vector([1, -0.5]), 'base64');
    expect([bytes.readFloatLE(0), bytes.readFloatLE(4)]).toEqual([1, -0.5]);
    expect(bytes.length).toBe(8);
  });

  it('maps error codes to OpenAI statuses and retry headers', () => {
    const of = (code: string, extensions: Record<string, unknown> = {}) =>
      fromGraphQLError({ message: 'm', extensions: { code, ...extensions } });
    expect(of('RATE_LIMITED', { limit: 'tpm', retryAfterSeconds: 3 })).toMatchObject({
      status: 429,
      type: 'tokens',
      headers: { 'retry-after': '3' },
    });
    expect(of('RATE_LIMITED', { limit: 'rpm', retryAfterSeconds: null })).toMatchObject({
      status: 429,
      headers: { 'x-should-retry': 'false' },
    });
    expect(of('INSUFFICIENT_FUNDS')).toMatchObject({ status: 402, type: 'insufficient_quota' });
    expect(of('BUDGET_EXCEEDED')).toMatchObject({ status: 402 });
    expect(of('MODEL_NOT_ALLOWED')).toMatchObject({ status: 403, code: 'model_not_allowed' });
    expect(of('WALLET_SUSPENDED', { reason: 'disputed' })).toMatchObject({
      status: 403,
      type: 'permission_error',
      code: 'wallet_suspended',
      headers: { 'x-should-retry': 'false' },
    });
    expect(of('NOT_FOUND')).toMatchObject({ status: 404, code: 'model_not_found' });
    expect(of('IDEMPOTENCY_CONFLICT')).toMatchObject({ status: 409, code: 'idempotency_conflict' });
    expect(of('PROVIDER_ERROR')).toMatchObject({ status: 502 });
    expect(of('SERVICE_UNAVAILABLE', { retryAfterSeconds: 2 })).toMatchObject({
      status: 503,
      headers: { 'retry-after': '2' },
    });
    expect(of('SOMETHING_ELSE')).toMatchObject({ status: 500, type: 'api_error' });
  });
});
