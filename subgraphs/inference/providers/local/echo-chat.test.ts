import fc from 'fast-check';
import { countTokens } from '../token-count.js';
import { echoAnswer, echoReply, splitIntoDeltas, truncateToTokens } from './echo-chat.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('echoReply', () => {
  it('echoes the last user message with its word count and its words reversed', () => {
    expect(
      echoReply([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'an answer' },
        { role: 'user', content: '  the cat\tsat  on the mat ' },
        { role: 'assistant', content: 'not this one' },
      ]),
    ).toBe('Echo:   the cat\tsat  on the mat \n(6 words; reversed: mat the on sat cat the)');
    expect(echoReply([{ role: 'user', content: 'hi' }])).toBe('Echo: hi\n(1 word; reversed: hi)');
  });

  it('says so when there is nothing to echo', () => {
    expect(echoReply([{ role: 'system', content: 'Be brief.' }])).toBe('Echo: (nothing to echo)');
    expect(echoReply([{ role: 'user', content: ' \n ' }])).toBe('Echo: (nothing to echo)');
  });
});

describe('truncateToTokens', () => {
  it('keeps a text that fits and cuts one that does not at the token budget', () => {
    expect(truncateToTokens('one two three', 3)).toEqual({
      text: 'one two three',
      truncated: false,
    });
    expect(truncateToTokens('one two three four five', 3)).toEqual({
      text: 'one two three',
      truncated: true,
    });
    expect(truncateToTokens('one two', 0)).toEqual({ text: '', truncated: true });
  });

  it('returns a prefix within the budget, never splitting a surrogate pair', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 120 }),
        fc.integer({ min: 0, max: 40 }),
        (text, maxTokens) => {
          const result = truncateToTokens(text, maxTokens);
          expect(text.startsWith(result.text)).toBe(true);
          expect(countTokens(result.text)).toBeLessThanOrEqual(maxTokens);
          expect(result.truncated).toBe(countTokens(text) > maxTokens);
          expect(result.text).not.toMatch(LONE_SURROGATE);
        },
      ),
    );
  });

  it('cuts close to the budget, not merely within it', () => {
    const text = Array.from({ length: 500 }, (_, i) => `word${i}`).join(' ');
    for (const maxTokens of [1, 7, 64, 500]) {
      const { text: cut } = truncateToTokens(text, maxTokens);
      expect(countTokens(cut)).toBeGreaterThanOrEqual(maxTokens - 1);
    }
  });

  it('cuts between the code points of an emoji, not inside one', () => {
    const { text } = truncateToTokens('🦄🦄🦄🦄🦄', 4);
    expect(text).toMatch(/^(🦄)+$/u);
  });
});

describe('echoAnswer', () => {
  const messages = [{ role: 'user' as const, content: 'a somewhat longer message to echo back' }];

  it('stops with STOP when the reply fits and LENGTH when it is cut', () => {
    const whole = echoReply(messages);
    expect(echoAnswer(messages, 1000)).toEqual({ text: whole, finishReason: 'STOP' });
    expect(echoAnswer(messages, countTokens(whole))).toEqual({ text: whole, finishReason: 'STOP' });
    const cut = echoAnswer(messages, 5);
    expect(cut.finishReason).toBe('LENGTH');
    expect(countTokens(cut.text)).toBe(5);
    expect(whole.startsWith(cut.text)).toBe(true);
  });
});

describe('splitIntoDeltas', () => {
  it('splits into one piece a word, with the whitespace after it', () => {
    expect(splitIntoDeltas(' Echo: hi there\n(2 words)')).toEqual([
      ' ',
      'Echo: ',
      'hi ',
      'there\n',
      '(2 ',
      'words)',
    ]);
    expect(splitIntoDeltas('')).toEqual([]);
  });

  it('gives pieces that join back into the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const pieces = splitIntoDeltas(text);
        expect(pieces.join('')).toBe(text);
        expect(pieces).not.toContain('');
      }),
    );
  });
});
