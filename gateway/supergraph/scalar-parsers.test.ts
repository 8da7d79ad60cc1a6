import {
  buildSchema,
  getVariableValues,
  parse,
  validate,
  type OperationDefinitionNode,
} from 'graphql';
import { useScalarParsers } from './scalar-parsers.js';

/** As Apollo Gateway builds its API schema: custom scalars are pass-through until told otherwise. */
const schema = () =>
  buildSchema(`
    scalar Micros
    scalar DateTime
    scalar JSON
    type Query { spend(amount: Micros, at: DateTime, meta: JSON): Int }
  `);

const literalErrors = (source: string, s = schema()) =>
  validate(s, parse(source)).map((e) => e.message);

const variableErrors = (variables: Record<string, unknown>, s = schema()) => {
  const document = parse(
    'query($a: Micros, $t: DateTime, $m: JSON) { spend(amount: $a, at: $t, meta: $m) }',
  );
  const operation = document.definitions[0] as OperationDefinitionNode;
  return getVariableValues(s, operation.variableDefinitions ?? [], variables).errors ?? [];
};

describe('useScalarParsers', () => {
  it('makes the gateway refuse the literals the subgraphs would refuse', () => {
    const s = schema();
    expect(literalErrors('{ spend(amount: "1.5") }', s)).toEqual([]); // pass-through before
    useScalarParsers(s);
    for (const literal of [
      'amount: "1.5"',
      'amount: "1e400"',
      'amount: 1.5',
      'amount: 1e400',
      'at: "yesterday"',
      'at: "2026-02-30T00:00:00Z"',
      'meta: 1e400',
    ]) {
      const errors = literalErrors(`{ spend(${literal}) }`, s);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/Micros must|DateTime must|JSON numbers must/);
    }
    expect(
      literalErrors('{ spend(amount: "2500000", at: "2026-01-31T12:00:00Z", meta: {a: [1]}) }', s),
    ).toEqual([]);
  });

  it('makes the gateway refuse bad variables with BAD_USER_INPUT', () => {
    const s = schema();
    useScalarParsers(s);
    for (const variables of [
      { a: '1.5' },
      { a: 1.5 },
      { a: Infinity },
      { t: 'yesterday' },
      { t: '2026-02-30T00:00:00Z' },
      { m: Infinity },
    ]) {
      const errors = variableErrors(variables, s);
      expect(errors).toHaveLength(1);
      expect(errors[0].extensions.code).toBe('BAD_USER_INPUT');
    }
    expect(
      variableErrors({ a: '2500000', t: '2026-01-31T12:00:00+01:00', m: { a: 1 } }, s),
    ).toEqual([]);
  });

  it('leaves a schema without those scalars alone', () => {
    const other = buildSchema('type Query { a: Int }');
    expect(() => useScalarParsers(other)).not.toThrow();
  });
});
