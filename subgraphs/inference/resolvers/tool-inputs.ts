/**
 * The tool and answer-format parts of a `GenerateInput`, checked: every shape a provider would
 * refuse (or, worse, take differently) is refused here with BAD_USER_INPUT naming the field.
 */
import { badUserInput } from '../../../lib/errors.js';
import type {
  MessageInput,
  ResponseFormatInput,
  ToolChoiceInput,
  ToolInput,
} from '../generated/resolvers-types.js';
import type {
  ChatMessage,
  ResponseFormat,
  ToolCall,
  ToolChoice,
  ToolDefinition,
} from '../providers/types.js';

/** OpenAI's rule for function and format names, which Anthropic's tool names also follow. */
const NAME = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_TOOLS = 128;
/** The JSON text of the tools and the answer's schema together; they are prompt, too. */
export const MAX_TOOL_SCHEMA_CHARS = 1_000_000;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function checkName(name: string, field: string, what: string): string {
  if (!NAME.test(name)) {
    throw badUserInput(`${what} "${name}" must be 1 to 64 letters, digits, "_" or "-".`, { field });
  }
  return name;
}

/** The tools as the provider interface takes them; undefined when none were given. */
export function checkTools(tools: readonly ToolInput[] | null | undefined) {
  if (tools == null) return undefined;
  if (tools.length === 0 || tools.length > MAX_TOOLS) {
    throw badUserInput(`Send 1 to ${MAX_TOOLS} tools, or leave tools out.`, { field: 'tools' });
  }
  const seen = new Set<string>();
  let chars = 0;
  const checked = tools.map((tool, i): ToolDefinition => {
    const name = checkName(tool.name, `tools.${i}.name`, 'The tool name');
    if (seen.has(name)) {
      throw badUserInput(`Two tools are named "${name}".`, { field: `tools.${i}.name` });
    }
    seen.add(name);
    if (tool.parameters != null && !isObject(tool.parameters)) {
      throw badUserInput(`The parameters of tool "${name}" must be a JSON Schema object.`, {
        field: `tools.${i}.parameters`,
      });
    }
    chars += JSON.stringify(tool).length;
    return {
      name,
      ...(tool.description != null ? { description: tool.description } : {}),
      ...(tool.parameters != null ? { parameters: tool.parameters } : {}),
      ...(tool.strict != null ? { strict: tool.strict } : {}),
    };
  });
  if (chars > MAX_TOOL_SCHEMA_CHARS) {
    throw badUserInput(`The tools exceed ${MAX_TOOL_SCHEMA_CHARS} characters of JSON.`, {
      field: 'tools',
    });
  }
  return checked;
}

/** The tool choice; undefined when not given (the provider's default, AUTO, applies). */
export function checkToolChoice(
  choice: ToolChoiceInput | null | undefined,
  tools: readonly ToolDefinition[] | undefined,
): ToolChoice | undefined {
  if (choice == null) return undefined;
  if (tools === undefined) {
    throw badUserInput('toolChoice needs tools to choose from.', { field: 'toolChoice' });
  }
  if (choice.mode !== 'FUNCTION') {
    if (choice.name != null) {
      throw badUserInput('toolChoice.name goes only with mode FUNCTION.', {
        field: 'toolChoice.name',
      });
    }
    return { mode: choice.mode };
  }
  if (choice.name == null) {
    throw badUserInput('toolChoice mode FUNCTION needs the name of the tool to call.', {
      field: 'toolChoice.name',
    });
  }
  if (!tools.some((t) => t.name === choice.name)) {
    throw badUserInput(`toolChoice names "${choice.name}", which is not one of the tools.`, {
      field: 'toolChoice.name',
    });
  }
  return { mode: 'FUNCTION', name: choice.name };
}

/** The answer's format; undefined for TEXT or none (free text either way). */
export function checkResponseFormat(
  format: ResponseFormatInput | null | undefined,
): ResponseFormat | undefined {
  if (format == null) return undefined;
  const schemaGiven = format.jsonSchema != null;
  if (format.type !== 'JSON_SCHEMA') {
    if (schemaGiven) {
      throw badUserInput('responseFormat.jsonSchema goes only with type JSON_SCHEMA.', {
        field: 'responseFormat.jsonSchema',
      });
    }
    return format.type === 'TEXT' ? undefined : { type: 'JSON_OBJECT' };
  }
  const given = format.jsonSchema;
  if (given == null) {
    throw badUserInput('responseFormat type JSON_SCHEMA needs jsonSchema.', {
      field: 'responseFormat.jsonSchema',
    });
  }
  const name = checkName(given.name, 'responseFormat.jsonSchema.name', 'The format name');
  if (!isObject(given.schema)) {
    throw badUserInput('responseFormat.jsonSchema.schema must be a JSON Schema object.', {
      field: 'responseFormat.jsonSchema.schema',
    });
  }
  if (JSON.stringify(given).length > MAX_TOOL_SCHEMA_CHARS) {
    throw badUserInput(`The schema exceeds ${MAX_TOOL_SCHEMA_CHARS} characters of JSON.`, {
      field: 'responseFormat.jsonSchema.schema',
    });
  }
  return {
    type: 'JSON_SCHEMA',
    name,
    schema: given.schema,
    ...(given.strict != null ? { strict: given.strict } : {}),
    ...(given.description != null ? { description: given.description } : {}),
  };
}

/**
 * One message in the provider interface's words. Content may be left out only by an assistant
 * turn that called tools; a TOOL message answers a call an earlier assistant turn made.
 */
export function checkMessage(
  message: MessageInput,
  i: number,
  earlierCallIds: ReadonlySet<string>,
): ChatMessage {
  const field = `messages.${i}`;
  const { role } = message;
  if (message.toolCalls != null && role !== 'ASSISTANT') {
    throw badUserInput('Only an ASSISTANT message carries toolCalls.', {
      field: `${field}.toolCalls`,
    });
  }
  if (message.toolCallId != null && role !== 'TOOL') {
    throw badUserInput('Only a TOOL message carries toolCallId.', { field: `${field}.toolCallId` });
  }
  const toolCalls = message.toolCalls == null ? undefined : checkToolCalls(message, field);
  if (message.content == null && toolCalls === undefined) {
    throw badUserInput(
      `A ${role} message needs content (only an ASSISTANT message with toolCalls may omit it).`,
      { field: `${field}.content` },
    );
  }
  const checked: ChatMessage = {
    role: role.toLowerCase() as ChatMessage['role'],
    content: message.content ?? '',
  };
  if (toolCalls) checked.toolCalls = toolCalls;
  if (role === 'TOOL') {
    const id = message.toolCallId;
    if (id == null || id === '') {
      throw badUserInput('A TOOL message needs the toolCallId of the call it answers.', {
        field: `${field}.toolCallId`,
      });
    }
    if (!earlierCallIds.has(id)) {
      throw badUserInput(
        `toolCallId "${id}" answers no tool call of an earlier ASSISTANT message.`,
        { field: `${field}.toolCallId` },
      );
    }
    checked.toolCallId = id;
  }
  return checked;
}

function checkToolCalls(message: MessageInput, field: string): ToolCall[] {
  const calls = message.toolCalls ?? [];
  if (calls.length === 0) {
    throw badUserInput('toolCalls, when given, lists at least one call.', {
      field: `${field}.toolCalls`,
    });
  }
  return calls.map((call, j) => {
    if (call.id === '') {
      throw badUserInput('A tool call needs its id.', { field: `${field}.toolCalls.${j}.id` });
    }
    checkName(call.name, `${field}.toolCalls.${j}.name`, 'The tool name');
    // The arguments are kept as the model wrote them, even where they do not parse.
    return { id: call.id, name: call.name, arguments: call.arguments };
  });
}
