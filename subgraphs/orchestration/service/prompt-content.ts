import { createHash } from 'node:crypto';
import { badUserInput } from '../../../lib/errors.js';
import type {
  PromptMessage,
  PromptParameters,
  PromptVersionContent,
} from '../store/prompt-rows.js';
import { parseTemplate, placeholdersOf, TemplateError } from './prompt-template.js';
import type { VariableSchemas } from './prompt-variables.js';

const MAX_MESSAGES = 100;
const MAX_TEMPLATE_CHARS = 100_000;
const MAX_TOOLS = 128;
const MAX_MODEL_CHARS = 200;
const RESPONSE_TYPES = new Set(['TEXT', 'JSON_OBJECT', 'JSON_SCHEMA']);
const EMPTY_SCHEMA = { type: 'object', properties: {} };

/** What createPromptVersion was given, before checks. */
export interface VersionInput {
  messages: readonly PromptMessage[];
  variables?: unknown;
  defaultModel?: string | null;
  parameters?: { temperature?: number | null; maxTokens?: number | null } | null;
  tools?: unknown;
  responseFormat?: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function checkMessages(messages: readonly PromptMessage[]): string[] {
  if (messages.length < 1 || messages.length > MAX_MESSAGES) {
    throw badUserInput(`Send 1 to ${MAX_MESSAGES} messages.`, { field: 'messages' });
  }
  const chars = messages.reduce((n, m) => n + m.content.length, 0);
  if (chars > MAX_TEMPLATE_CHARS) {
    throw badUserInput(`The messages exceed ${MAX_TEMPLATE_CHARS} characters.`, {
      field: 'messages',
    });
  }
  return messages.flatMap((m, messageIndex) => {
    try {
      return placeholdersOf(parseTemplate(m.content));
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      throw badUserInput(`messages[${messageIndex}]: ${error.message}`, {
        field: 'messages',
        messageIndex,
        offset: error.offset,
      });
    }
  });
}

function checkParameters(p: VersionInput['parameters']): PromptParameters {
  const out: PromptParameters = {};
  if (p?.temperature != null) {
    if (!(p.temperature >= 0 && p.temperature <= 2)) {
      throw badUserInput('parameters.temperature must be 0 to 2.', { field: 'parameters' });
    }
    out.temperature = p.temperature;
  }
  if (p?.maxTokens != null) {
    if (!Number.isInteger(p.maxTokens) || p.maxTokens < 1 || p.maxTokens > 100_000) {
      throw badUserInput('parameters.maxTokens must be 1 to 100000.', { field: 'parameters' });
    }
    out.maxTokens = p.maxTokens;
  }
  return out;
}

/**
 * Tools and response format are kept in `generate`'s input shapes; their full rules (names,
 * schemas, capabilities of the model) are checked by inference when a call uses them, as for
 * raw calls. Here: the shapes, so a version cannot hold something no call could send.
 */
function checkTools(tools: unknown): unknown[] | null {
  if (tools == null) return null;
  if (
    !Array.isArray(tools) ||
    tools.length > MAX_TOOLS ||
    !tools.every((t) => isObject(t) && typeof t.name === 'string')
  ) {
    throw badUserInput(`tools must be a list of at most ${MAX_TOOLS} objects with a name.`, {
      field: 'tools',
    });
  }
  return tools;
}

function checkResponseFormat(format: unknown): Record<string, unknown> | null {
  if (format == null) return null;
  if (!isObject(format) || typeof format.type !== 'string' || !RESPONSE_TYPES.has(format.type)) {
    throw badUserInput('responseFormat must be {type: TEXT|JSON_OBJECT|JSON_SCHEMA, jsonSchema}.', {
      field: 'responseFormat',
    });
  }
  if (format.type === 'JSON_SCHEMA' && !isObject(format.jsonSchema)) {
    throw badUserInput('responseFormat JSON_SCHEMA needs jsonSchema: {name, schema}.', {
      field: 'responseFormat',
    });
  }
  return format;
}

/** A new version's content, checked (BAD_USER_INPUT naming the field otherwise). */
export function checkVersionContent(
  input: VersionInput,
  schemas: VariableSchemas,
): PromptVersionContent {
  const placeholders = checkMessages(input.messages);
  const model = input.defaultModel ?? null;
  if (model !== null && (model.length < 1 || model.length > MAX_MODEL_CHARS)) {
    throw badUserInput(`defaultModel must be 1 to ${MAX_MODEL_CHARS} characters.`, {
      field: 'defaultModel',
    });
  }
  return {
    messages: input.messages.map((m) => ({ role: m.role, content: m.content })),
    variables: schemas.check(input.variables ?? EMPTY_SCHEMA, placeholders),
    defaultModel: model,
    parameters: checkParameters(input.parameters),
    tools: checkTools(input.tools),
    responseFormat: checkResponseFormat(input.responseFormat),
  };
}

/** The content's fingerprint: what an idempotent retry must send again. */
export const contentHashOf = (content: PromptVersionContent) =>
  createHash('sha256').update(JSON.stringify(content)).digest('hex');
