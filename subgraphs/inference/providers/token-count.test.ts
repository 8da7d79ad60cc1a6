import fc from 'fast-check';
import { encodeChat } from 'gpt-tokenizer/encoding/o200k_base';
import {
  countChatTokens,
  countTokens,
  MESSAGE_OVERHEAD_TOKENS,
  REPLY_PRIMING_TOKENS,
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
});
