import { buildSchema, parse, specifiedRules, validate, type ValidationRule } from 'graphql';
import { DEFAULT_OPERATION_LIMITS, operationLimits } from './operation-limits.js';

const schema = buildSchema('type Query { a: Int }');

const errorsOf = (source: string, maxAliases: number) => {
  const limits = operationLimits({ ...DEFAULT_OPERATION_LIMITS, maxAliases }, { production: true });
  return validate(schema, parse(source), [
    ...specifiedRules,
    ...(limits.validationRules as ValidationRule[]),
  ]).map((e) => e.message);
};

const aliases = (n: number, field: string) =>
  `{ ${Array.from({ length: n }, (_, i) => `x${i}: ${field}`).join(' ')} }`;

describe('operationLimits aliases', () => {
  it('counts aliases of __typename like any other (1,000 of them would all execute)', () => {
    expect(errorsOf(aliases(1000, '__typename'), 30)).toEqual([expect.stringMatching(/aliases/i)]);
    expect(errorsOf(aliases(31, '__typename'), 30)).toHaveLength(1);
  });

  it('lets the limit through, and counts field aliases too', () => {
    expect(errorsOf(aliases(30, '__typename'), 30)).toEqual([]);
    expect(errorsOf(aliases(30, 'a'), 30)).toEqual([]);
    expect(errorsOf(aliases(31, 'a'), 30)).toHaveLength(1);
  });
});

describe('Float literals', () => {
  const floats = buildSchema('type Query { near(score: Float, scores: [Float!]): Int }');
  const errors = (source: string) => {
    const limits = operationLimits(DEFAULT_OPERATION_LIMITS, { production: true });
    return validate(floats, parse(source), [
      ...specifiedRules,
      ...(limits.validationRules as ValidationRule[]),
    ]).map((e) => e.message);
  };

  it('refuses one beyond a double (graphql-js alone parses it as Infinity and lets it pass)', () => {
    expect(validate(floats, parse('{ near(score: 1e400) }'))).toEqual([]);
    expect(errors('{ near(score: 1e400) }')).toEqual([expect.stringMatching(/finite/)]);
    expect(errors('{ near(scores: [0.5, -1e400]) }')).toEqual([expect.stringMatching(/finite/)]);
    expect(errors('{ near(score: 1.7e308, scores: [0, -0.25]) }')).toEqual([]);
  });
});
