import { countTokens } from '../../providers/token-count.js';
import { createRunningTokenCount } from './running-token-count.js';

const pieces = (text: string) => text.match(/\S+\s*/g) ?? [];

describe('createRunningTokenCount', () => {
  it('counts a word-streamed reply as the tokenizer counts the whole text, at every step', () => {
    const reply =
      'The quick brown fox jumps over the lazy dog, twice: once at 09:30 and again at 17:45.';
    const running = createRunningTokenCount();
    let sofar = '';
    for (const piece of pieces(reply)) {
      sofar += piece;
      expect({ sofar, count: running.add({ text: piece, toolCalls: [] }) }).toEqual({
        sofar,
        count: countTokens(sofar),
      });
    }
  });

  it('does not count a trailing space as a token of its own', () => {
    const running = createRunningTokenCount();
    for (const piece of ['one ', 'two ', 'three ']) running.add({ text: piece, toolCalls: [] });
    expect(running.add({ text: 'four', toolCalls: [] })).toBe(countTokens('one two three four'));
    expect(countTokens('one ') + countTokens('two ')).toBeGreaterThan(countTokens('one two '));
  });

  it('counts text without spaces in bounded pieces, close to the whole', () => {
    const running = createRunningTokenCount();
    const piece = 'abcdefghij'.repeat(50);
    let count = 0;
    for (let i = 0; i < 10; i++) count = running.add({ text: piece, toolCalls: [] });
    const whole = countTokens(piece.repeat(10));
    expect(Math.abs(count - whole)).toBeLessThanOrEqual(5);
  });

  it('adds each tool call, by index, to the text', () => {
    const running = createRunningTokenCount();
    running.add({ text: 'Let me check.', toolCalls: [] });
    running.add({
      text: '',
      toolCalls: [
        { index: 0, id: 'c1', name: 'weather', arguments: '{"city":' },
        { index: 1, id: 'c2', name: 'time', arguments: '{"tz":' },
      ],
    });
    const total = running.add({
      text: '',
      toolCalls: [
        { index: 0, arguments: '"Paris"}' },
        { index: 1, arguments: '"UTC"}' },
      ],
    });
    expect(total).toBe(
      countTokens('Let me check.') +
        countTokens('weather{"city":"Paris"}') +
        countTokens('time{"tz":"UTC"}'),
    );
  });

  it('counts deferred deltas only when asked, in order', () => {
    const running = createRunningTokenCount();
    const later = ['one ', 'two ', 'three'].map((text) => running.defer({ text, toolCalls: [] }));
    expect(later[2]!()).toBe(countTokens('one two three'));
    expect(later[0]!()).toBe(countTokens('one '));
    expect(later[1]!()).toBe(countTokens('one two '));
    expect(later[2]!()).toBe(countTokens('one two three'));
  });

  it('counts pieces that start with their space as the whole text', () => {
    const running = createRunningTokenCount();
    let sofar = '';
    for (const piece of ['Hello', ',', ' world', ' and', ' all', ' of', ' you', '.']) {
      sofar += piece;
      expect(running.add({ text: piece, toolCalls: [] })).toBe(countTokens(sofar));
    }
  });
});
