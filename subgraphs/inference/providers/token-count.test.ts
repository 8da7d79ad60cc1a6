import fc from 'fast-check';
import { encodeChat } from 'gpt-tokenizer/encoding/o200k_base';
import {
  countChatTokens,
  countTokens,
  MESSAGE_OVERHEAD_TOKENS,
  REPLY_PRIMING_TOKENS,
  TOOL_OVERHEAD_TOKENS,
} from './token-count.js';
import type { ChatMessage } from './types.js';

describe('countTokens', () => {
  it('counts o200k_base tokens', () => {
    expect(countTokens('')).toBe(0);
    expect(countTokens('hello world')).toBe(2);
    expect(countTokens('The quick brown fox jumps over the lazy dog.')).toBe(10);
    // cl100k_base (GPT-4, GPT-3.5) counts 14 here: pins the encoding we chose.
    expect(countTokens('Привет, как дела? 你好世界')).toBe(9);
  });

  it('counts text that spells a special token as plain text instead of throwing', () => {
    const tokens = countTokens('before <|endoftext|> after');
    expect(tokens).toBeGreaterThan(countTokens('before  after') + 1);
  });
});

describe('countChatTokens', () => {
  it('adds the per-message overhead and the reply priming to the content tokens', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'hello world' },
    ];
    expect(countChatTokens(messages)).toBe(
      countTokens('You are terse.') + 2 + 2 * MESSAGE_OVERHEAD_TOKENS + REPLY_PRIMING_TOKENS,
    );
    expect(countChatTokens([])).toBe(REPLY_PRIMING_TOKENS);
  });

  it("equals the token count of OpenAI's chat format for gpt-4o", () => {
    const message = fc.record({
      role: fc.constantFrom<ChatMessage['role']>('system', 'user', 'assistant'),
      content: fc.string({ unit: 'grapheme', maxLength: 80 }),
    });
    fc.assert(
      fc.property(fc.array(message, { maxLength: 6 }), (messages) => {
        expect(countChatTokens(messages)).toBe(encodeChat(messages, 'gpt-4o').length);
      }),
    );
  });

  it('estimates tools, tool calls, tool results and the answer schema by their JSON text', () => {
    const tool = { name: 'get_weather', parameters: { type: 'object', properties: {} } };
    const call = { id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' };
    const format = { type: 'JSON_SCHEMA' as const, name: 'answer', schema: { type: 'object' } };
    const messages: ChatMessage[] = [
      { role: 'user', content: 'hello world' },
      { role: 'assistant', content: '', toolCalls: [call] },
      { role: 'tool', content: 'sunny', toolCallId: 'c1' },
    ];
    expect(countChatTokens(messages, { tools: [tool], responseFormat: format })).toBe(
      countChatTokens(messages.map((m) => ({ role: m.role, content: m.content }))) +
        countTokens('c1') +
        TOOL_OVERHEAD_TOKENS +
        countTokens(`c1 get_weather {"city":"Paris"}`) +
        TOOL_OVERHEAD_TOKENS +
        countTokens(JSON.stringify(tool)) +
        TOOL_OVERHEAD_TOKENS +
        countTokens(JSON.stringify(format)),
    );
  });
});
