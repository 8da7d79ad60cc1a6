/**
 * The OpenAI emulator's tools and JSON answers: it checks `tools`, `tool_choice`,
 * `response_format` and tool messages as OpenAI does, and decides the calls (tool-answers.ts).
 */
import type { ProviderRequestBody } from './emulator-types.js';
import { argumentPieces, callsToMake, jsonAnswer, type EmulatedCall } from './tool-answers.js';

type Plan = { error: string } | { calls: EmulatedCall[]; json: string | undefined };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function readTools(tools: unknown) {
  if (tools === undefined) return [];
  if (!Array.isArray(tools) || tools.length === 0) return "Invalid 'tools': empty array.";
  const read: { name: string; schema: unknown }[] = [];
  for (const [i, tool] of tools.entries()) {
    const fn = isObject(tool) ? tool.function : undefined;
    if (!isObject(tool) || tool.type !== 'function' || !isObject(fn)) {
      return `Missing required parameter: 'tools[${i}].function'.`;
    }
    if (typeof fn.name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(fn.name)) {
      return `Invalid 'tools[${i}].function.name': string does not match pattern.`;
    }
    read.push({ name: fn.name, schema: fn.parameters });
  }
  return read;
}

/** 'auto', 'none', 'required' or a tool name; an error for anything else. */
function readChoice(choice: unknown, names: string[]): string | { error: string } {
  if (choice === undefined) return names.length > 0 ? 'auto' : 'none';
  if (names.length === 0) {
    return {
      error:
        "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
    };
  }
  if (choice === 'auto' || choice === 'none' || choice === 'required') return choice;
  const fn = isObject(choice) ? choice.function : undefined;
  if (isObject(fn) && typeof fn.name === 'string' && names.includes(fn.name)) return fn.name;
  return { error: "Invalid value for 'tool_choice'." };
}

/** Tool messages must answer a call of an earlier assistant message, as OpenAI requires. */
function checkToolMessages(messages: NonNullable<ProviderRequestBody['messages']>) {
  const callIds = new Set<string>();
  for (const [i, m] of messages.entries()) {
    if (m.role === 'assistant' && Array.isArray(m.tool_calls)) {
      for (const call of m.tool_calls as Array<{ id?: unknown }>) {
        if (typeof call?.id === 'string') callIds.add(call.id);
      }
    }
    if (m.role === 'tool' && (typeof m.tool_call_id !== 'string' || !callIds.has(m.tool_call_id))) {
      return `Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls' (messages.[${i}]).`;
    }
  }
  return undefined;
}

function checkFormat(body: ProviderRequestBody): string | undefined {
  const format = body.response_format;
  if (format === undefined) return undefined;
  if (format.type === 'json_schema') {
    const schema = format.json_schema;
    if (!isObject(schema) || typeof schema.name !== 'string') {
      return "Missing required parameter: 'response_format.json_schema.name'.";
    }
    return undefined;
  }
  if (format.type === 'json_object') {
    const mentions = (body.messages ?? []).some((m) => /json/i.test(String(m.content ?? '')));
    return mentions
      ? undefined
      : "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.";
  }
  return format.type === 'text' ? undefined : "Invalid value for 'response_format.type'.";
}

/** What the request asks of tools and formats, checked; the calls to make and the JSON answer. */
export function planOpenAiAnswer(body: ProviderRequestBody, reply: string): Plan {
  const tools = readTools(body.tools);
  if (typeof tools === 'string') return { error: tools };
  const choice = readChoice(
    body.tool_choice,
    tools.map((t) => t.name),
  );
  if (typeof choice !== 'string') return choice;
  const problem = checkToolMessages(body.messages ?? []) ?? checkFormat(body);
  if (problem) return { error: problem };
  const last = body.messages?.[body.messages.length - 1];
  return {
    calls: callsToMake(tools, choice, last?.role === 'tool'),
    json: jsonAnswer(body.response_format, reply),
  };
}

/** OpenAI's `tool_calls` of a message. */
export const toolCallsJson = (calls: EmulatedCall[], sequence: number) =>
  calls.map((call, i) => ({
    id: callId(sequence, i),
    type: 'function',
    function: { name: call.name, arguments: call.arguments },
  }));

const callId = (sequence: number, i: number) => `call_emulator_${sequence}_${i}`;

/**
 * The streamed `delta.tool_calls` of the calls, in order: a first piece with id, type, name and
 * empty arguments, then the arguments in pieces.
 */
export function toolCallDeltas(calls: EmulatedCall[], sequence: number): object[] {
  return calls.flatMap((call, index) => [
    {
      index,
      id: callId(sequence, index),
      type: 'function',
      function: { name: call.name, arguments: '' },
    },
    ...argumentPieces(call.arguments).map((piece) => ({ index, function: { arguments: piece } })),
  ]);
}
