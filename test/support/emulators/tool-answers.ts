/**
 * The deterministic rules the emulators follow for tools and JSON answers, exported so tests can
 * compute what to expect:
 * - a request with tools, whose last message is not a tool result, calls tools instead of
 *   answering: the tool `tool_choice` names, every tool when a call is required (OpenAI's
 *   `required`, Anthropic's `any`), the first tool otherwise; `none` calls none;
 * - a call's arguments are built from the tool's schema ({@link valueForSchema}), as JSON text;
 * - streamed, each call's arguments come in {@link ARGUMENT_PIECES} pieces; a call costs one
 *   output token per piece;
 * - a JSON answer (`response_format`) is `{"reply": <the reply>}` for json_object and the value
 *   built from the schema for json_schema, indented by one space (so it streams in pieces).
 */

/** Into how many pieces a streamed call's arguments are split (fewer when they are short). */
export const ARGUMENT_PIECES = 3;

type Schema = {
  type?: unknown;
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
};

/**
 * A value that matches a JSON Schema of the common shapes: every property of an object, one item
 * of an array, an enum's first value, a string naming its property, 1 for numbers, true.
 */
export function valueForSchema(schema: unknown, name = 'value'): unknown {
  const s = (typeof schema === 'object' && schema !== null ? schema : {}) as Schema;
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  const variant = s.anyOf?.[0] ?? s.oneOf?.[0];
  if (variant) return valueForSchema(variant, name);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'string':
      return `${name}-text`;
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array':
      return [valueForSchema(s.items, name)];
    default:
      return Object.fromEntries(
        Object.entries(s.properties ?? {}).map(([key, value]) => [key, valueForSchema(value, key)]),
      );
  }
}

/** A tool as both dialects name it, with its schema. */
export interface EmulatedTool {
  name: string;
  schema: unknown;
}

/** A call the emulator makes, with its arguments as JSON text. */
export interface EmulatedCall {
  name: string;
  arguments: string;
}

/**
 * The calls to make, or none: `choice` is 'auto', 'none', 'required' or a tool name (each dialect
 * reads its own tool_choice into these).
 */
export function callsToMake(
  tools: readonly EmulatedTool[],
  choice: string,
  lastIsToolResult: boolean,
): EmulatedCall[] {
  if (tools.length === 0 || choice === 'none' || lastIsToolResult) return [];
  const chosen =
    choice === 'required'
      ? tools
      : choice === 'auto'
        ? tools.slice(0, 1)
        : tools.filter((t) => t.name === choice);
  return chosen.map((t) => ({ name: t.name, arguments: JSON.stringify(valueForSchema(t.schema)) }));
}

/** The arguments' JSON text in the pieces a stream sends; they join back into it. */
export function argumentPieces(text: string): string[] {
  const size = Math.max(1, Math.ceil(text.length / ARGUMENT_PIECES));
  const pieces: string[] = [];
  for (let at = 0; at < text.length; at += size) pieces.push(text.slice(at, at + size));
  return pieces;
}

/** Output tokens the emulators charge for these calls: one per streamed piece. */
export const callTokens = (calls: readonly EmulatedCall[]) =>
  calls.reduce((sum, call) => sum + argumentPieces(call.arguments).length, 0);

/** The text of a JSON answer, or undefined for free text. */
export function jsonAnswer(
  format: { type?: unknown; json_schema?: { schema?: unknown } } | undefined,
  reply: string,
): string | undefined {
  // Indented, so the answer streams in several pieces like any reply.
  if (format?.type === 'json_object') return JSON.stringify({ reply }, null, 1);
  if (format?.type === 'json_schema') {
    return JSON.stringify(valueForSchema(format.json_schema?.schema), null, 1);
  }
  return undefined;
}
