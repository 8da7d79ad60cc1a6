/**
 * Tools and tool calls in Anthropic's Messages format, both ways: tools carry `input_schema`, an
 * assistant's calls are `tool_use` content blocks, and results go back as `tool_result` blocks of
 * a user turn. Anthropic has no answer-format parameter, so a JSON answer cannot be promised.
 */
import {
  ProviderError,
  type ChatMessage,
  type ChatRequest,
  type ToolCall,
  type ToolChoice,
  type ToolDefinition,
} from './types.js';

type Block = Record<string, unknown>;
interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: string | Block[];
}

/** Refuses what Anthropic cannot do: an answer format other than free text. */
export function checkAnthropicCanHonour(request: ChatRequest, provider: string): void {
  const format = request.responseFormat;
  if (format && format.type !== 'TEXT') {
    throw new ProviderError(
      'BAD_REQUEST',
      `${provider} cannot promise a ${format.type} answer (the Messages API has no response format)`,
    );
  }
}

/** An assistant's tool call as a `tool_use` block: the arguments must be a JSON object. */
function toolUseBlock(call: ToolCall, provider: string): Block {
  let input: unknown;
  try {
    input = JSON.parse(call.arguments);
  } catch {
    input = undefined;
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ProviderError(
      'BAD_REQUEST',
      `${provider} takes a tool call's arguments only as a JSON object (call ${call.id})`,
    );
  }
  return { type: 'tool_use', id: call.id, name: call.name, input };
}

/**
 * The conversation without system messages, in Anthropic's turns. Tool results that follow each
 * other become one user turn, as Anthropic wants every result of a turn's calls together.
 */
export function anthropicMessages(messages: readonly ChatMessage[], provider: string) {
  const turns: AnthropicMessage[] = [];
  for (const message of messages) {
    if (message.role === 'system') continue;
    if (message.role === 'tool') {
      const result = {
        type: 'tool_result',
        tool_use_id: message.toolCallId,
        content: message.content,
      };
      const last = turns[turns.length - 1];
      if (last && last.role === 'user' && Array.isArray(last.content) && isResults(last.content)) {
        last.content.push(result);
      } else {
        turns.push({ role: 'user', content: [result] });
      }
    } else if (message.role === 'assistant' && message.toolCalls && message.toolCalls.length > 0) {
      const text: Block[] = message.content ? [{ type: 'text', text: message.content }] : [];
      const uses = message.toolCalls.map((call) => toolUseBlock(call, provider));
      turns.push({ role: 'assistant', content: [...text, ...uses] });
    } else {
      turns.push({ role: message.role, content: message.content });
    }
  }
  return turns;
}

const isResults = (blocks: Block[]) => blocks.every((b) => b.type === 'tool_result');

const anthropicTool = (tool: ToolDefinition) => ({
  name: tool.name,
  ...(tool.description !== undefined ? { description: tool.description } : {}),
  // Anthropic requires a schema; a tool without parameters takes an empty object.
  input_schema: tool.parameters ?? { type: 'object', properties: {} },
});

function anthropicToolChoice(choice: ToolChoice) {
  if (choice.mode === 'FUNCTION') return { type: 'tool', name: choice.name };
  if (choice.mode === 'REQUIRED') return { type: 'any' };
  return { type: choice.mode.toLowerCase() };
}

/** The request's tools and tool choice as body fields; none when not asked for. */
export function anthropicToolFields(request: ChatRequest) {
  return {
    ...(request.tools ? { tools: request.tools.map(anthropicTool) } : {}),
    ...(request.toolChoice ? { tool_choice: anthropicToolChoice(request.toolChoice) } : {}),
  };
}

/** A `tool_use` block of a response as our ToolCall: the input object as JSON text. */
export function toolCallOf(block: { id?: string; name?: string; input?: unknown }): ToolCall {
  return {
    id: block.id ?? '',
    name: block.name ?? '',
    arguments: JSON.stringify(block.input ?? {}),
  };
}
