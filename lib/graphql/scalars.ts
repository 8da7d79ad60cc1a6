import { GraphQLScalarType, Kind, valueFromASTUntyped } from 'graphql';
import { badUserInput } from '../errors.js';

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
const INTEGER = /^-?\d{1,19}$/;

function toMicros(value: unknown): bigint {
  let result: bigint | undefined;
  if (typeof value === 'bigint') result = value;
  else if (typeof value === 'string' && INTEGER.test(value)) result = BigInt(value);
  else if (typeof value === 'number' && Number.isSafeInteger(value)) result = BigInt(value);
  if (result === undefined || result > INT64_MAX || result < INT64_MIN) {
    throw badUserInput('Micros must be a whole number of micro-credits, as a decimal string.');
  }
  return result;
}

/**
 * Money: whole micro-credits (1 credit = 1,000,000 µcr), exchanged as a decimal string so no
 * client ever rounds it through a float. Resolvers see a `bigint`.
 */
export const MicrosScalar = new GraphQLScalarType<bigint, string>({
  name: 'Micros',
  description:
    'A whole number of micro-credits (1 credit = 1,000,000 µcr) as a decimal string, e.g. "2500000". Never a float.',
  serialize: (value) => toMicros(value).toString(),
  parseValue: toMicros,
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT) return toMicros(ast.value);
    throw badUserInput('Micros must be a string such as "2500000".');
  },
});

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Date.parse rolls 2026-02-30 over to March 2; a calendar day must exist as written. */
function dayExists(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function toDate(value: unknown): Date {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
  const match = typeof value === 'string' ? ISO_DATE_TIME.exec(value) : null;
  if (match && dayExists(Number(match[1]), Number(match[2]), Number(match[3]))) {
    const date = new Date(value as string);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw badUserInput(
    'DateTime must be an ISO-8601 date-time with a time zone, e.g. "2026-01-31T12:00:00Z".',
  );
}

/** An instant: ISO-8601 with a time zone in, UTC ISO-8601 out. Resolvers see a `Date`. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant as an ISO-8601 string with a time zone, e.g. "2026-01-31T12:00:00Z".',
  serialize: (value) => toDate(value).toISOString(),
  parseValue: toDate,
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING) return toDate(ast.value);
    throw badUserInput('DateTime must be a string.');
  },
});

/** A JSON value as plain JavaScript: objects, arrays, strings, finite numbers, booleans, null. */
function toJson(value: unknown, depth = 0): unknown {
  if (depth > 64) throw badUserInput('JSON is nested more than 64 levels deep.');
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    throw badUserInput('JSON numbers must be finite.');
  }
  if (Array.isArray(value)) return value.map((item) => toJson(item, depth + 1));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = toJson(item, depth + 1);
    return copy;
  }
  throw badUserInput('JSON must be an object, array, string, number, boolean or null.');
}

/**
 * Any JSON value (a tool's JSON Schema, say), written in place as JSON itself: from variables as
 * parsed JSON, inline as GraphQL object, list and scalar literals. Resolvers see plain values.
 */
export const JsonScalar = new GraphQLScalarType<unknown, unknown>({
  name: 'JSON',
  description:
    "Any JSON value (object, array, string, number, boolean or null), written as JSON itself, e.g. a tool's JSON Schema.",
  serialize: (value) => toJson(value),
  parseValue: (value) => toJson(value),
  parseLiteral: (ast, variables) => toJson(valueFromASTUntyped(ast, variables)),
});
