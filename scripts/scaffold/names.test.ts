import { subgraphNames } from './names.js';

describe('a new subgraph name', () => {
  it('gives every name the subgraph goes by', () => {
    expect(subgraphNames('feature-flags', 4006)).toEqual({
      name: 'feature-flags',
      pascal: 'FeatureFlags',
      camel: 'featureFlags',
      constant: 'FEATURE_FLAGS',
      snake: 'feature_flags',
      port: 4006,
    });
    expect(subgraphNames('ab2', 4007)).toMatchObject({ pascal: 'Ab2', constant: 'AB2' });
  });

  it.each(['FeatureFlags', 'feature_flags', 'feature--flags', '-flags', 'flags-', '2fa', ''])(
    'refuses %j: not kebab-case',
    (name) => {
      expect(() => subgraphNames(name, 4006)).toThrow(/not kebab-case/);
    },
  );

  it('refuses reserved and overlong names', () => {
    expect(() => subgraphNames('gateway', 4006)).toThrow(/reserved/);
    expect(() => subgraphNames('redis', 4006)).toThrow(/reserved/);
    expect(() => subgraphNames(`a${'-b'.repeat(15)}`, 4006)).toThrow(/longer than 30/);
  });
});
