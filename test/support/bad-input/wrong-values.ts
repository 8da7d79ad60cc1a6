import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLInputType,
} from 'graphql';

/**
 * One value in both of its spellings: GraphQL literal text and JSON text (for a variable). Either
 * may be missing: `1e400` has no JSON form, a lone surrogate no literal one we bother with.
 */
export interface Spelled {
  literal?: string;
  json?: string;
}

/** A value an argument must refuse; `mutationSafe` when no resolver could ever accept it. */
export interface WrongValue extends Spelled {
  label: string;
  mutationSafe: boolean;
}

const MEGABYTE = 'x'.repeat(1_000_000);

const both = (label: string, text: string, mutationSafe = true): WrongValue => ({
  label,
  literal: text,
  json: text,
  mutationSafe,
});
const literalOnly = (label: string, literal: string, mutationSafe = true): WrongValue => ({
  label,
  literal,
  mutationSafe,
});
const jsonOnly = (label: string, json: string, mutationSafe = true): WrongValue => ({
  label,
  json,
  mutationSafe,
});

const NUL_STRING = both('string with a NUL byte', '"bad\\u0000name"');
/** Strings every String or ID argument is tried with (its wrong type comes with the scalar). */
const STRING_WRONGS: WrongValue[] = [
  NUL_STRING,
  // Well-formed strings a resolver may accept: queries only, so nothing is written. The 1 MB
  // one as a variable only (as a literal it is the same bytes through the same parser).
  jsonOnly('1 MB string', `"${MEGABYTE}"`, false),
  both('empty string', '""', false),
  jsonOnly('lone surrogate', '"\\ud800"', false),
  both('SQL and path', `"x'; DROP TABLE t; -- ../../etc/passwd"`, false),
];

const BY_SCALAR: Record<string, WrongValue[]> = {
  String: [both('number', '123'), ...STRING_WRONGS],
  ID: [both('boolean', 'true'), ...STRING_WRONGS],
  Int: [
    both('2^31', '2147483648'),
    both('fraction', '1.5'),
    both('string', '"7"'),
    literalOnly('1e400', '1e400'),
    both('negative', '-1', false),
  ],
  Float: [both('string', '"x"'), literalOnly('1e400', '1e400', false), jsonOnly('1e400', '1e400')],
  Boolean: [both('string', '"true"'), both('number', '1')],
  Micros: [
    both('"1.5"', '"1.5"'),
    both('"1e400"', '"1e400"'),
    both('number 1.5', '1.5'),
    both('number 1e400', '1e400'),
    both('"abc"', '"abc"'),
    both('over int64', '"99999999999999999999"'),
  ],
  DateTime: [
    both('"yesterday"', '"yesterday"'),
    both('February 30', '"2026-02-30T00:00:00Z"'),
    both('number', '12345'),
    NUL_STRING,
  ],
  JSON: [
    literalOnly('1e400', '1e400'),
    jsonOnly('1e400', '1e400'),
    both('nested 70 deep', `${'['.repeat(70)}${']'.repeat(70)}`),
    NUL_STRING,
  ],
};

/** A value of `type` that its parser accepts (for the arguments and fields not under test). */
export function validValue(type: GraphQLInputType, depth = 0): Spelled {
  if (isNonNullType(type)) return validValue(type.ofType, depth);
  if (isListType(type)) {
    const item = validValue(type.ofType, depth);
    return { literal: `[${item.literal}]`, json: `[${item.json}]` };
  }
  if (isEnumType(type)) {
    const first = type.getValues()[0]?.name;
    return { literal: first, json: JSON.stringify(first) };
  }
  if (isInputObjectType(type)) return objectOf(requiredFields(type, depth), {});
  const text =
    {
      Int: '1',
      Float: '1',
      Boolean: 'true',
      Micros: '"1"',
      DateTime: '"2026-01-01T00:00:00Z"',
    }[type.name] ?? '"x"';
  if (type.name === 'JSON') return { literal: '{}', json: '{}' };
  return { literal: text, json: text };
}

type Fields = Array<[name: string, value: Spelled]>;

function requiredFields(type: GraphQLInputType, depth: number): Fields {
  if (!isInputObjectType(type)) return [];
  return Object.values(type.getFields())
    .filter((field) => isNonNullType(field.type) && field.defaultValue === undefined)
    .map((field) => [field.name, validValue(field.type, depth + 1)]);
}

/** `{ a: 1, b: "x" }` and `{"a":1,"b":"x"}`, with `override` in place of (or beside) the fields. */
function objectOf(fields: Fields, override: Record<string, Spelled>): Spelled {
  const merged = new Map(fields);
  for (const [name, value] of Object.entries(override)) merged.set(name, value);
  const entries = [...merged];
  const literal = entries.every(([, v]) => v.literal !== undefined)
    ? `{ ${entries.map(([n, v]) => `${n}: ${v.literal}`).join(', ')} }`
    : undefined;
  const json = entries.every(([, v]) => v.json !== undefined)
    ? `{${entries.map(([n, v]) => `${JSON.stringify(n)}: ${v.json}`).join(', ')}}`
    : undefined;
  return { literal, json };
}

/** How deep into nested input objects wrong values are tried. */
const MAX_INPUT_DEPTH = 2;

/**
 * Wrong values for an argument or input field of `type`, each with a label saying where it went
 * (`input.name: string with a NUL byte`). Input objects get one case per field, recursively.
 */
export function wrongValues(type: GraphQLInputType, depth = 0): WrongValue[] {
  const wrongs: WrongValue[] = [];
  if (isNonNullType(type)) {
    wrongs.push(both('null', 'null'));
    type = type.ofType;
  }
  if (isListType(type)) {
    return [
      ...wrongs,
      ...wrongValues(type.ofType, depth).map((w) => ({
        ...w,
        label: `[${w.label}]`,
        literal: w.literal === undefined ? undefined : `[${w.literal}]`,
        json: w.json === undefined ? undefined : `[${w.json}]`,
      })),
    ];
  }
  const named = getNamedType(type);
  if (isEnumType(named)) {
    return [
      ...wrongs,
      literalOnly('unknown enum value', 'NOT_A_VALUE'),
      both('string for an enum', '"NOT_A_VALUE"'),
      both('number for an enum', '1'),
    ];
  }
  if (isScalarType(named)) return [...wrongs, ...(BY_SCALAR[named.name] ?? STRING_WRONGS)];
  if (!isInputObjectType(named)) return wrongs;
  const base = requiredFields(named, depth);
  wrongs.push(both('string for an object', '"not an object"'));
  wrongs.push({
    label: 'unknown field',
    ...objectOf(base, { noSuchField: { literal: '1', json: '1' } }),
    mutationSafe: true,
  });
  if (depth >= MAX_INPUT_DEPTH) return wrongs;
  for (const field of Object.values(named.getFields())) {
    for (const wrong of wrongValues(field.type, depth + 1)) {
      wrongs.push({
        label: `${field.name}: ${wrong.label}`,
        ...objectOf(base, { [field.name]: wrong }),
        mutationSafe: wrong.mutationSafe,
      });
    }
  }
  return wrongs;
}
