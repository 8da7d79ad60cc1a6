/**
 * The Anthropic emulator's tools: it checks `tools`, `tool_choice` and `tool_result` blocks as
 * the Messages API does, refuses `response_format` (the API has none), and decides the calls
 * (tool-answers.ts).
 */
import type { ProviderRequestBody } from './emulator-types.js';
import { argumentPieces, callsToMake, type EmulatedCall } from './tool-answers.js';

type Plan = { error: string } | { calls: EmulatedCall[] };
type Block = { type?: unknown; id?: unknown; tool_use_id?: unknown };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function readTools(tools: unknown) {
  if (tools === undefined) return [];
  if (!Array.isArray(tools)) return 'tools: Input should be a valid list';
  const read: { name: string; schema: unknown }[] = [];
  for (const [i, tool] of tools.entries()) {
    if (!isObject(tool) || typeof tool.name !== 'string') return `tools.${i}.name: Field required`;
    if (!isObject(tool.input_schema) || tool.input_schema.type !== 'object') {
      return `tools.${i}.input_schema: Input schema must have type "object"`;
    }
    read.push({ name: tool.name, schema: tool.input_schema });
  }
  return read;
}

/** 'auto', 'none', 'required' (Anthropic's `any`) or a tool name. */
function readChoice(choice: unknown, names: string[]): string | { error: string } {
  if (choice === undefined) return 'auto';
  if (!isObject(choice)) return { error: 'tool_choice: Input should be an object' };
  if (choice.type === 'auto' || choice.type === 'none') return choice.type;
  if (choice.type === 'any') return 'required';
  if (choice.type === 'tool' && typeof choice.name === 'string' && names.includes(choice.name)) {
    return choice.name;
  }
  return { error: `tool_choice: Tool '${String(choice.name)}' not found in tools` };
}

const blocksOf = (content: unknown): Block[] =>
  Array.isArray(content) ? (content as Block[]).filter(isObject) : [];

/** Each tool_result must answer a tool_use of the message just before, as the API requires. */
function checkToolResults(messages: NonNullable<ProviderRequestBody['messages']>) {
  for (const [i, m] of messages.entries()) {
    const results = blocksOf(m.content).filter((b) => b.type === 'tool_result');
    if (results.length === 0) continue;
    const previous = new Set(
      blocksOf(messages[i - 1]?.content)
        .filter((b) => b.type === 'tool_use')
        .map((b) => b.id),
    );
    const stray = results.find((b) => !previous.has(b.tool_use_id));
    if (stray) {
      return `messages.${i}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(stray.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
    }
  }
  return undefined;
}

/** What the request asks of tools, checked; the calls to make. */
export function planAnthropicAnswer(body: ProviderRequestBody): Plan {
  if (body.response_format !== undefined) {
    return { error: 'response_format: Extra inputs are not permitted' };
  }
  const tools = readTools(body.tools);
  if (typeof tools === 'string') return { error: tools };
  const choice = readChoice(
    body.tool_choice,
    tools.map((t) => t.name),
  );
  if (typeof choice !== 'string') return choice;
  const problem = checkToolResults(body.messages ?? []);
  if (problem) return { error: problem };
  const last = body.messages?.[body.messages.length - 1];
  const lastIsToolResult = blocksOf(last?.content).some((b) => b.type === 'tool_result');
  return { calls: callsToMake(tools, choice, lastIsToolResult) };
}

const toolUseId = (sequence: number, i: number) => `toolu_emulator_${sequence}_${i}`;

/** The `tool_use` content blocks of a message. */
export const toolUseBlocks = (calls: EmulatedCall[], sequence: number) =>
  calls.map((call, i) => ({
    type: 'tool_use',
    id: toolUseId(sequence, i),
    name: call.name,
    input: JSON.parse(call.arguments) as unknown,
  }));

/**
 * The streamed events of the calls, as [event, data] pairs: each call a content block from
 * `firstIndex` on, its input sent as `input_json_delta` pieces.
 */
export function toolUseEvents(
  calls: EmulatedCall[],
  sequence: number,
  firstIndex: number,
): Array<[string, object]> {
  return calls.flatMap((call, i): Array<[string, object]> => {
    const index = firstIndex + i;
    const block = { type: 'tool_use', id: toolUseId(sequence, i), name: call.name, input: {} };
    return [
      ['content_block_start', { index, content_block: block }],
      ...argumentPieces(call.arguments).map((partial_json): [string, object] => [
        'content_block_delta',
        { index, delta: { type: 'input_json_delta', partial_json } },
      ]),
      ['content_block_stop', { index }],
    ];
  });
}
