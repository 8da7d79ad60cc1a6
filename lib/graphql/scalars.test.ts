import { Kind, parseValue as parseGraphQLValue, type ValueNode } from 'graphql';
import { thrownBy } from '../../test/support/thrown.js';
import { DateTimeScalar, JsonScalar, MicrosScalar } from './scalars.js';

const BAD_INPUT = { extensions: { code: 'BAD_USER_INPUT' } };

const literal = (kind: Kind.STRING | Kind.INT | Kind.FLOAT, value: string) =>
  ({ kind, value }) as ValueNode;

describe('Micros', () => {
  it.each<[string, unknown, bigint]>([
    ['a decimal string', '2500000', 2_500_000n],
    ['zero', '0', 0n],
    ['a negative string (refunds, adjustments)', '-150', -150n],
    ['leading zeros', '007', 7n],
    ['the int64 maximum', '9223372036854775807', 9223372036854775807n],
    ['the int64 minimum', '-9223372036854775808', -9223372036854775808n],
    ['a safe integer', 42, 42n],
    ['a negative safe integer', -42, -42n],
    ['a bigint', 12345678901234567890n / 10n, 1234567890123456789n],
  ])('parses %s', (_case, value, expected) => {
    expect(MicrosScalar.parseValue(value)).toBe(expected);
  });

  it.each<[string, unknown]>([
    ['a float', 1.5],
    ['a float string', '1.5'],
    ['an exponent', '1e6'],
    ['an unsafe integer', 2 ** 53],
    ['above int64', '9223372036854775808'],
    ['below int64', '-9223372036854775809'],
    ['a bigint above int64', 9223372036854775808n],
    ['20 digits', '10000000000000000000'],
    ['an empty string', ''],
    ['whitespace', ' 5'],
    ['a plus sign', '+5'],
    ['hex', '0x10'],
    ['a boolean', true],
    ['null', null],
    ['an object', { value: '5' }],
  ])('rejects %s with BAD_USER_INPUT', (_case, value) => {
    expect(thrownBy(() => MicrosScalar.parseValue(value))).toMatchObject(BAD_INPUT);
  });

  it('serializes bigints and numbers as decimal strings', () => {
    expect(MicrosScalar.serialize(9223372036854775807n)).toBe('9223372036854775807');
    expect(MicrosScalar.serialize(-5n)).toBe('-5');
    expect(MicrosScalar.serialize(100)).toBe('100');
  });

  it('refuses to serialize a float', () => {
    expect(() => MicrosScalar.serialize(0.1)).toThrow();
  });

  it('parses string and int literals but not float literals', () => {
    expect(MicrosScalar.parseLiteral(literal(Kind.STRING, '2500000'))).toBe(2_500_000n);
    expect(MicrosScalar.parseLiteral(literal(Kind.INT, '-7'))).toBe(-7n);
    expect(thrownBy(() => MicrosScalar.parseLiteral(literal(Kind.FLOAT, '1.0')))).toMatchObject(
      BAD_INPUT,
    );
    expect(
      thrownBy(() => MicrosScalar.parseLiteral(literal(Kind.INT, '99999999999999999999'))),
    ).toMatchObject(BAD_INPUT);
  });
});

describe('DateTime', () => {
  it.each<[string, string]>([
    ['2026-01-31T12:00:00Z', '2026-01-31T12:00:00.000Z'],
    ['2026-01-31T12:00Z', '2026-01-31T12:00:00.000Z'],
    ['2026-01-31T12:00:00.5Z', '2026-01-31T12:00:00.500Z'],
    ['2026-01-31T14:30:00+02:30', '2026-01-31T12:00:00.000Z'],
    ['2026-01-31T07:00:00-05:00', '2026-01-31T12:00:00.000Z'],
    ['2026-01-31T12:00:00.123456789Z', '2026-01-31T12:00:00.123Z'],
  ])('parses %s as %s', (value, iso) => {
    expect((DateTimeScalar.parseValue(value) as Date).toISOString()).toBe(iso);
  });

  it.each<[string, unknown]>([
    ['no time zone', '2026-01-31T12:00:00'],
    ['a date only', '2026-01-31'],
    ['a space instead of T', '2026-01-31 12:00:00Z'],
    ['month 13', '2026-13-01T00:00:00Z'],
    ['minute 60', '2026-01-31T12:60:00Z'],
    ['an RFC 2822 date', 'Sat, 31 Jan 2026 12:00:00 GMT'],
    ['epoch milliseconds', 1769860800000],
    ['a numeric string', '1769860800000'],
    ['an empty string', ''],
    ['an invalid Date', new Date(Number.NaN)],
    ['null', null],
  ])('rejects %s with BAD_USER_INPUT', (_case, value) => {
    expect(thrownBy(() => DateTimeScalar.parseValue(value))).toMatchObject(BAD_INPUT);
  });

  it('accepts a Date and serializes in UTC', () => {
    const date = new Date('2026-01-31T12:00:00Z');
    expect(DateTimeScalar.parseValue(date)).toBe(date);
    expect(DateTimeScalar.serialize(date)).toBe('2026-01-31T12:00:00.000Z');
    expect(DateTimeScalar.serialize('2026-01-31T13:00:00+01:00')).toBe('2026-01-31T12:00:00.000Z');
  });

  it('parses string literals only', () => {
    const parsed = DateTimeScalar.parseLiteral(literal(Kind.STRING, '2026-01-31T12:00:00Z'));
    expect(parsed).toEqual(new Date('2026-01-31T12:00:00Z'));
    expect(
      thrownBy(() => DateTimeScalar.parseLiteral(literal(Kind.INT, '1769860800000'))),
    ).toMatchObject(BAD_INPUT);
  });
});

describe('JSON', () => {
  const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

  it('takes any JSON value from variables as it is', () => {
    expect(JsonScalar.parseValue(schema)).toEqual(schema);
    expect(JsonScalar.parseValue([1, 'a', null, true, 2.5])).toEqual([1, 'a', null, true, 2.5]);
    expect(JsonScalar.parseValue('text')).toBe('text');
  });

  it('reads an inline literal, variables inside it included', () => {
    const ast = parseGraphQLValue(
      '{ type: "object", properties: { n: { type: $t } }, enum: [1, 2.5, null, true] }',
    );
    expect(JsonScalar.parseLiteral(ast, { t: 'integer' })).toEqual({
      type: 'object',
      properties: { n: { type: 'integer' } },
      enum: [1, 2.5, null, true],
    });
  });

  it('keeps a "__proto__" key as a plain key', () => {
    const parsed = JsonScalar.parseValue(JSON.parse('{"__proto__": {"polluted": true}}'));
    expect(Object.keys(parsed as object)).toEqual(['__proto__']);
    expect((parsed as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('serializes plain values', () => {
    expect(JsonScalar.serialize({ a: [1, { b: null }] })).toEqual({ a: [1, { b: null }] });
  });

  it.each<[string, unknown]>([
    ['a function', () => 1],
    ['a date', new Date(0)],
    ['infinity', Number.POSITIVE_INFINITY],
    ['nesting deeper than 64 levels', JSON.parse('['.repeat(70) + ']'.repeat(70))],
  ])('refuses %s with BAD_USER_INPUT', (_what, value) => {
    expect(thrownBy(() => JsonScalar.parseValue(value))).toMatchObject(BAD_INPUT);
  });
});
