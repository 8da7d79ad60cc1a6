import { didYouMean, notFound } from '../../../lib/errors.js';
import { suggestNames } from './model-suggestions.js';

const IDS = [
  'anthropic/claude-sonnet-4',
  'local/echo-chat',
  'local/hash-embed',
  'openai/gpt-4o',
  'openai/gpt-4o-mini',
  'openai/text-embedding-3-small',
];

describe('suggestNames', () => {
  it('suggests the provider-qualified id for a bare model name', () => {
    expect(suggestNames('gpt-4o-mini', IDS)).toEqual(['openai/gpt-4o-mini']);
    expect(suggestNames('gpt-4o', IDS)).toEqual(['openai/gpt-4o']);
    expect(suggestNames('echo-chat', IDS)).toEqual(['local/echo-chat']);
  });

  it('ignores case and suggests close spellings, closest first', () => {
    expect(suggestNames('OpenAI/GPT-4o-mini', IDS)[0]).toBe('openai/gpt-4o-mini');
    expect(suggestNames('openai/gpt-4o-mni', IDS)[0]).toBe('openai/gpt-4o-mini');
    expect(suggestNames('local/echo-chta', IDS)).toEqual(['local/echo-chat']);
  });

  it('suggests nothing for a name far from every id, or an empty one', () => {
    expect(suggestNames('llama-3-70b', IDS)).toEqual([]);
    expect(suggestNames('', IDS)).toEqual([]);
    expect(suggestNames('  ', IDS)).toEqual([]);
  });

  it('suggests at most three names', () => {
    const many = ['a/model', 'b/model', 'c/model', 'd/model'];
    expect(suggestNames('model', many)).toEqual(['a/model', 'b/model', 'c/model']);
  });
});

describe('NOT_FOUND with suggestions', () => {
  it('ends the message with "Did you mean" and lists them in extensions', () => {
    const error = notFound('Model or route', 'gpt-4o-mini', ['openai/gpt-4o-mini']);
    expect(error.message).toBe(
      'Model or route "gpt-4o-mini" does not exist. Did you mean openai/gpt-4o-mini?',
    );
    expect(error.extensions).toEqual({
      code: 'NOT_FOUND',
      id: 'gpt-4o-mini',
      suggestions: ['openai/gpt-4o-mini'],
    });
  });

  it('joins several with "or", and says nothing more without any', () => {
    expect(didYouMean(['a/x', 'b/x', 'c/x'])).toBe(' Did you mean a/x, b/x or c/x?');
    expect(notFound('Model', 'a/b').extensions).toEqual({ code: 'NOT_FOUND', id: 'a/b' });
  });
});
