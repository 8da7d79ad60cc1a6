import { invalidRequest } from './errors.js';

/** What a chat completion request asks for, as GenerateInput plus the /v1-only stream options. */
export interface ChatCall {
  input: Record<string, unknown>;
  /** The model as the caller named it. */
  model: string;
  stream: boolean;
  includeUsage: boolean;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const ROLES: Record<string, string> = {
  system: 'SYSTEM',
  developer: 'SYSTEM',
  user: 'USER',
  assistant: 'ASSISTANT',
  tool: 'TOOL',
};

/** A message's content: a string, null, or an array of text parts (joined by newlines). */
function contentOf(content: unknown, param: string): string | undefined {
  if (content === null || content === undefined) return undefined;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content))
    throw invalidRequest(`${param} must be a string or an array.`, param);
  return content
    .map((part: unknown, i) => {
      if (!isObject(part) || part.type !== 'text' || typeof part.text !== 'string') {
        throw invalidRequest(
          `${param}[${i}]: only text parts ({"type": "text", "text": ...}) are supported.`,
          `${param}[${i}]`,
        );
      }
      return part.text;
    })
    .join('\n');
}

function toolCallsOf(calls: unknown, param: string) {
  if (calls === undefined || calls === null) return undefined;
  if (!Array.isArray(calls)) throw invalidRequest(`${param} must be an array.`, param);
  return calls.map((call: unknown, i) => {
    const fn = isObject(call) ? call.function : undefined;
    if (!isObject(call) || typeof call.id !== 'string' || !isObject(fn)) {
      throw invalidRequest(`${param}[${i}] must have an id and a function.`, `${param}[${i}]`);
    }
    if (typeof fn.name !== 'string' || typeof fn.arguments !== 'string') {
      throw invalidRequest(
        `${param}[${i}].function needs a name and arguments (JSON text).`,
        `${param}[${i}].function`,
      );
    }
    return { id: call.id, name: fn.name, arguments: fn.arguments };
  });
}

function messagesOf(messages: unknown) {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw invalidRequest('messages must be a non-empty array.', 'messages');
  }
  return messages.map((message: unknown, i) => {
    const param = `messages[${i}]`;
    if (!isObject(message)) throw invalidRequest(`${param} must be an object.`, param);
    const role = ROLES[String(message.role)];
    if (!role) {
      throw invalidRequest(
        `${param}.role must be one of ${Object.keys(ROLES).join(', ')}.`,
        `${param}.role`,
      );
    }
    const content = contentOf(message.content, `${param}.content`);
    const toolCalls =
      role === 'ASSISTANT' ? toolCallsOf(message.tool_calls, `${param}.tool_calls`) : undefined;
    if (role === 'TOOL' && typeof message.tool_call_id !== 'string') {
      throw invalidRequest(
        `${param}.tool_call_id is required on a tool message.`,
        `${param}.tool_call_id`,
      );
    }
    if (content === undefined && !toolCalls?.length) {
      throw invalidRequest(`${param}.content is required.`, `${param}.content`);
    }
    return {
      role,
      content: content ?? null,
      ...(toolCalls ? { toolCalls } : {}),
      ...(role === 'TOOL' ? { toolCallId: message.tool_call_id } : {}),
    };
  });
}

function toolsOf(tools: unknown) {
  if (tools === undefined || tools === null) return undefined;
  if (!Array.isArray(tools)) throw invalidRequest('tools must be an array.', 'tools');
  return tools.map((tool: unknown, i) => {
    const fn = isObject(tool) ? tool.function : undefined;
    if (
      !isObject(tool) ||
      tool.type !== 'function' ||
      !isObject(fn) ||
      typeof fn.name !== 'string'
    ) {
      throw invalidRequest(
        `tools[${i}] must be {"type": "function", "function": {"name": ...}}.`,
        `tools[${i}]`,
      );
    }
    return {
      name: fn.name,
      ...(typeof fn.description === 'string' ? { description: fn.description } : {}),
      ...(fn.parameters !== undefined ? { parameters: fn.parameters } : {}),
      ...(typeof fn.strict === 'boolean' ? { strict: fn.strict } : {}),
    };
  });
}

function toolChoiceOf(choice: unknown) {
  if (choice === undefined || choice === null) return undefined;
  if (choice === 'auto' || choice === 'none' || choice === 'required') {
    return { mode: choice.toUpperCase() };
  }
  const fn = isObject(choice) ? choice.function : undefined;
  if (
    isObject(choice) &&
    choice.type === 'function' &&
    isObject(fn) &&
    typeof fn.name === 'string'
  ) {
    return { mode: 'FUNCTION', name: fn.name };
  }
  throw invalidRequest(
    'tool_choice must be "auto", "none", "required" or {"type": "function", "function": {"name": ...}}.',
    'tool_choice',
  );
}

function responseFormatOf(format: unknown) {
  if (format === undefined || format === null) return undefined;
  if (!isObject(format))
    throw invalidRequest('response_format must be an object.', 'response_format');
  if (format.type === 'text') return { type: 'TEXT' };
  if (format.type === 'json_object') return { type: 'JSON_OBJECT' };
  const spec = format.json_schema;
  if (format.type === 'json_schema' && isObject(spec) && typeof spec.name === 'string') {
    return {
      type: 'JSON_SCHEMA',
      jsonSchema: {
        name: spec.name,
        schema: spec.schema ?? {},
        ...(typeof spec.description === 'string' ? { description: spec.description } : {}),
        ...(typeof spec.strict === 'boolean' ? { strict: spec.strict } : {}),
      },
    };
  }
  throw invalidRequest(
    'response_format must be {"type": "text"}, {"type": "json_object"} or {"type": "json_schema", "json_schema": {"name": ..., "schema": ...}}.',
    'response_format',
  );
}

function optionalNumber(body: Json, name: string, integer: boolean): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || (integer && !Number.isInteger(value))) {
    throw invalidRequest(`${name} must be ${integer ? 'an integer' : 'a number'}.`, name);
  }
  return value;
}

/**
 * The extension field `prompt` (docs/openai-compatible.md): a team prompt to render instead of
 * `messages`, as GenerateInput's `prompt`. `id` and exactly one of `version` and `label`.
 */
function promptOf(prompt: unknown) {
  if (!isObject(prompt) || typeof prompt.id !== 'string' || prompt.id === '') {
    throw invalidRequest(
      'prompt must be {"id": ..., "version" or "label": ..., "variables": {...}}.',
      'prompt',
    );
  }
  const { version, label, variables } = prompt;
  if ((version == null) === (label == null)) {
    throw invalidRequest('prompt needs exactly one of version and label.', 'prompt');
  }
  if (version != null && !(typeof version === 'number' && Number.isInteger(version))) {
    throw invalidRequest('prompt.version must be an integer.', 'prompt.version');
  }
  if (label != null && typeof label !== 'string') {
    throw invalidRequest('prompt.label must be a string.', 'prompt.label');
  }
  if (variables != null && !isObject(variables)) {
    throw invalidRequest('prompt.variables must be an object.', 'prompt.variables');
  }
  return {
    promptId: prompt.id,
    ...(version != null ? { version } : { label }),
    variables: variables ?? {},
  };
}

/** Messages, or the prompt reference that stands for them (with an empty or absent messages). */
function conversationOf(body: Json) {
  if (body.prompt === undefined || body.prompt === null) {
    return { messages: messagesOf(body.messages) };
  }
  const noMessages =
    body.messages === undefined ||
    body.messages === null ||
    (Array.isArray(body.messages) && body.messages.length === 0);
  if (!noMessages) {
    throw invalidRequest('Send messages or prompt, not both (messages may be []).', 'messages');
  }
  return { prompt: promptOf(body.prompt) };
}

/**
 * Reads a `POST /v1/chat/completions` body into GenerateInput. `user`, `metadata` and other fields
 * OpenAI accepts but the platform has no use for are ignored; `n` other than 1 is refused.
 */
export function readChatRequest(
  body: unknown,
  idempotencyKey: string | undefined,
  teamId: string | undefined,
): ChatCall {
  if (!isObject(body)) throw invalidRequest('The body must be a JSON object.');
  const conversation = conversationOf(body);
  // With a prompt, the model may be left out (or ""): the prompt version's default model answers.
  const model = typeof body.model === 'string' && body.model !== '' ? body.model : undefined;
  if (model === undefined && (!conversation.prompt || (body.model ?? '') !== '')) {
    throw invalidRequest('model is required.', 'model');
  }
  const n = optionalNumber(body, 'n', true);
  if (n !== undefined && n !== 1) throw invalidRequest('Only n = 1 is supported.', 'n');
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
    throw invalidRequest('stream must be a boolean.', 'stream');
  }
  const maxTokens =
    optionalNumber(body, 'max_completion_tokens', true) ?? optionalNumber(body, 'max_tokens', true);
  const temperature = optionalNumber(body, 'temperature', false);
  const tools = toolsOf(body.tools);
  const toolChoice = toolChoiceOf(body.tool_choice);
  const responseFormat = responseFormatOf(body.response_format);
  const options = isObject(body.stream_options) ? body.stream_options : {};
  return {
    // What stream chunks name before the answering model is known.
    model: model ?? `prompt:${conversation.prompt!.promptId}`,
    stream: body.stream === true,
    includeUsage: options.include_usage === true,
    input: {
      ...(model !== undefined ? { model } : {}),
      ...conversation,
      ...(maxTokens !== undefined ? { maxTokens } : {}),
      ...(temperature !== undefined ? { temperature } : {}),
      ...(tools ? { tools } : {}),
      ...(toolChoice ? { toolChoice } : {}),
      ...(responseFormat ? { responseFormat } : {}),
      ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
      ...(teamId !== undefined ? { teamId } : {}),
    },
  };
}
