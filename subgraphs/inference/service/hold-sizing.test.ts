import fc from 'fast-check';
import { countTokens as cl100kTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens as o200kTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { chatPromptBound, embeddingInputBound } from './cost.js';
import { MESSAGE_OVERHEAD_TOKENS, REPLY_PRIMING_TOKENS } from '../providers/token-count.js';

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

const plain = { disallowedSpecial: new Set<string>() };
const encodings = [
  ['cl100k_base', (t: string) => cl100kTokens(t, plain)],
  ['o200k_base', (t: string) => o200kTokens(t, plain)],
] as const;

describe.each(encodings)('hold sizing against %s', (_name, count) => {
  it('a chat prompt never counts more tokens than its bound', () => {
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 6 }), (contents) => {
        const messages = contents.map((content) => ({ content }));
        const counted =
          REPLY_PRIMING_TOKENS +
          contents.reduce((sum, c) => sum + MESSAGE_OVERHEAD_TOKENS + count(c), 0);
        expect(chatPromptBound(messages)).toBeGreaterThanOrEqual(counted);
      }),
      { numRuns: 300 },
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
