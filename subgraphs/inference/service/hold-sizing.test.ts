import fc from 'fast-check';
import { countTokens as cl100kTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens as o200kTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { chatPromptBound, embeddingInputBound } from './cost.js';
import { MESSAGE_OVERHEAD_TOKENS, REPLY_PRIMING_TOKENS } from '../providers/token-count.js';
import type { ChatMessage } from '../providers/types.js';

/*
 * Holds are sized for the prompt before a provider sees it, so they must bound what every
 * provider's tokenizer may count. Texts mix real words of several scripts (random code points
 * would not find it: tokenizers merge real words, and how much differs by tokenizer) with emoji
 * and odd characters, and both OpenAI encodings must stay within the bound.
 */
const WORDS = {
  latin: ['the', 'model', 'invoice', 'über', 'façade', 'naïve', 'señor', 'Straße', 'coöperate'],
  cjk: ['人工智能', '模型', '账单', '東京', 'ありがとう', 'カタカナ', '한국어', '데이터', '的'],
  devanagari: ['नमस्ते', 'भारत', 'सरकार', 'शिक्षा', 'स्वास्थ्य', 'प्रधानमंत्री', 'अर्थव्यवस्था', 'है'],
  cyrillicArabic: ['привет', 'модель', 'Здравствуйте', 'مرحبا', 'النموذج', 'شكرا'],
  emoji: ['😀', '👩🏽‍💻', '🇮🇳', '❤️', '🧪', '🚀🚀🚀', '👨‍👩‍👧‍👦'],
  odd: ['<|endoftext|>', '\u200b', '\t', '\n\n', '  ', '{"a":1}', '0000000000', 'ẞ'],
};
const word = fc.oneof(
  ...Object.values(WORDS).map((list) => fc.constantFrom(...list)),
  fc.string({ unit: 'binary', maxLength: 4 }),
);
const text = fc
  .array(fc.tuple(word, fc.constantFrom('', ' ', '\n')), { maxLength: 400 })
  .map((parts) => parts.map(([w, gap]) => w + gap).join(''));

/** A JSON Schema object of properties named and described with the texts above. */
const schema = fc.letrec<{ node: Record<string, unknown> }>((tie) => ({
  node: fc.record({
    type: fc.constant('object'),
    description: text,
    properties: fc.dictionary(
      fc.string({ minLength: 1, maxLength: 12 }),
      fc.oneof(
        { depthSize: 'small' },
        fc.record({ type: fc.constantFrom('string', 'number'), description: text }),
        fc.record({ type: fc.constant('string'), enum: fc.array(text, { maxLength: 4 }) }),
        tie('node'),
      ),
      { maxKeys: 5 },
    ),
  }),
})).node;
const toolName = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const conversationWithTools = fc.record({
  tools: fc.array(fc.record({ name: toolName, description: text, parameters: schema }), {
    minLength: 1,
    maxLength: 4,
  }),
  messages: fc
    .tuple(
      text,
      fc.array(fc.record({ id: toolName, name: toolName, arguments: schema }), {
        minLength: 1,
        maxLength: 3,
      }),
      text,
    )
    .map(([question, calls, result]): ChatMessage[] => [
      { role: 'user' as const, content: question },
      {
        role: 'assistant' as const,
        content: '',
        toolCalls: calls.map((c) => ({ ...c, arguments: JSON.stringify(c.arguments) })),
      },
      ...calls.map((c) => ({ role: 'tool' as const, content: result, toolCallId: c.id })),
    ]),
  responseFormat: fc.record({
    type: fc.constant('JSON_SCHEMA' as const),
    name: toolName,
    schema,
    strict: fc.boolean(),
  }),
});

const plain = { disallowedSpecial: new Set<string>() };
const encodings = [
  ['cl100k_base', (t: string) => cl100kTokens(t, plain)],
  ['o200k_base', (t: string) => o200kTokens(t, plain)],
] as const;

describe.each(encodings)('hold sizing against %s', (_name, count) => {
  it('a chat prompt never counts more tokens than its bound', () => {
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 6 }), (contents) => {
        const messages = contents.map((content) => ({ role: 'user' as const, content }));
        const counted =
          REPLY_PRIMING_TOKENS +
          contents.reduce((sum, c) => sum + MESSAGE_OVERHEAD_TOKENS + count(c), 0);
        expect(chatPromptBound({ messages })).toBeGreaterThanOrEqual(counted);
      }),
      { numRuns: 300 },
    );
  });

  it('covers tool definitions, tool calls, tool results and the answer schema', () => {
    fc.assert(
      fc.property(conversationWithTools, ({ messages, tools, responseFormat }) => {
        // Every piece of text the provider is sent, as JSON compact and re-rendered with
        // indentation (providers re-render schemas their own way), plus the chat framing.
        const asSent = (value: unknown) =>
          Math.max(count(JSON.stringify(value)), count(JSON.stringify(value, null, 4)));
        let counted = REPLY_PRIMING_TOKENS;
        for (const m of messages) {
          counted += MESSAGE_OVERHEAD_TOKENS + count(m.content) + count(m.toolCallId ?? '');
          for (const call of m.toolCalls ?? []) {
            counted += count(call.id) + count(call.name) + asSent(JSON.parse(call.arguments));
          }
        }
        for (const tool of tools) counted += asSent(tool);
        counted += asSent(responseFormat);
        expect(chatPromptBound({ messages, tools, responseFormat })).toBeGreaterThanOrEqual(
          counted,
        );
      }),
      { numRuns: 200 },
    );
  });

  it('embedding inputs never count more tokens than their bound', () => {
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 8 }), (texts) => {
        const counted = texts.reduce((sum, t) => sum + count(t), 0);
        expect(embeddingInputBound(texts)).toBeGreaterThanOrEqual(counted);
      }),
      { numRuns: 300 },
    );
  });

  it('covers the Hindi that our own count under-sized by 4×', () => {
    const hindi = Array.from({ length: 60 }, (_, i) => WORDS.devanagari[i % 8]).join(' ');
    expect(count(hindi)).toBeLessThanOrEqual(embeddingInputBound([hindi]));
  });
});
