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
