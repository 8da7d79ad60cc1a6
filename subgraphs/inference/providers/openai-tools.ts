/**
 * Tools, tool calls and answer formats in OpenAI's chat completions wire format, both ways.
 */
import { z } from 'zod';
import type {
  ChatMessage,
  ChatRequest,
  ResponseFormat,
  ToolCall,
  ToolCallDelta,
  ToolChoice,
  ToolDefinition,
} from './types.js';

/** A message as OpenAI takes it: tool calls on assistant turns, `tool_call_id` on tool results. */
export function openAiMessage(message: ChatMessage) {
  if (message.role === 'tool') {
    return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  }
  if (message.role === 'assistant' && message.toolCalls && message.toolCalls.length > 0) {
    return {
      role: 'assistant',
      // OpenAI wants null, not '', for an assistant turn that only called tools.
      content: message.content === '' ? null : message.content,
      tool_calls: message.toolCalls.map((call) => ({
        id: call.id,
        type: 'function',
        function: { name: call.name, arguments: call.arguments },
      })),
    };
  }
  return { role: message.role, content: message.content };
}

const openAiTool = (tool: ToolDefinition) => ({
  type: 'function',
  function: {
    name: tool.name,
    ...(tool.description !== undefined ? { description: tool.description } : {}),
    ...(tool.parameters !== undefined ? { parameters: tool.parameters } : {}),
    ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
  },
});

function openAiToolChoice(choice: ToolChoice) {
  if (choice.mode === 'FUNCTION') return { type: 'function', function: { name: choice.name } };
  return choice.mode.toLowerCase();
}

function openAiResponseFormat(format: ResponseFormat) {
  if (format.type !== 'JSON_SCHEMA') return { type: format.type.toLowerCase() };
  return {
    type: 'json_schema',
    json_schema: {
      name: format.name,
      schema: format.schema,
      ...(format.description !== undefined ? { description: format.description } : {}),
      ...(format.strict !== undefined ? { strict: format.strict } : {}),
    },
  };
}

/** The request's tools, tool choice and answer format as body fields; none when not asked for. */
export function openAiToolFields(request: ChatRequest) {
  return {
    ...(request.tools ? { tools: request.tools.map(openAiTool) } : {}),
    ...(request.toolChoice ? { tool_choice: openAiToolChoice(request.toolChoice) } : {}),
    ...(request.responseFormat
      ? { response_format: openAiResponseFormat(request.responseFormat) }
      : {}),
  };
}

export const toolCallsSchema = z
  .array(
    z.object({
      id: z.string(),
      type: z.string().nullish(),
      function: z.object({ name: z.string(), arguments: z.string() }),
    }),
  )
  .nullish();

/** The tool calls of a response's message, in order (other kinds of call are not ours). */
export function toolCallsOf(calls: z.infer<typeof toolCallsSchema>): ToolCall[] {
  return (calls ?? [])
    .filter((call) => (call.type ?? 'function') === 'function')
    .map((call) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments }));
}

export const toolCallDeltasSchema = z
  .array(
    z.object({
      index: z.number().int().nonnegative(),
      id: z.string().nullish(),
      function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
    }),
  )
  .nullish();

/** A stream chunk's tool-call pieces, exactly as sent: ids and names on first pieces. */
export function toolCallDeltasOf(deltas: z.infer<typeof toolCallDeltasSchema>): ToolCallDelta[] {
  return (deltas ?? []).map((delta) => ({
    index: delta.index,
    ...(delta.id ? { id: delta.id } : {}),
    ...(delta.function?.name ? { name: delta.function.name } : {}),
    arguments: delta.function?.arguments ?? '',
  }));
}
