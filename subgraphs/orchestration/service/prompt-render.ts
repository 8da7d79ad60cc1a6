import { badUserInput } from '../../../lib/errors.js';
import type { PromptMessage, PromptParameters, PromptVersionRow } from '../store/prompt-rows.js';
import { parseTemplate, renderTemplate } from './prompt-template.js';
import type { VariableSchemas } from './prompt-variables.js';

/** A version rendered with variables: what renderPrompt answers and what generate sends. */
export interface PromptRendering {
  promptId: string;
  version: number;
  messages: PromptMessage[];
  model: string | null;
  parameters: PromptParameters;
  tools: unknown[] | null;
  responseFormat: Record<string, unknown> | null;
}

/**
 * Fills the version's messages with `variables`, after checking them against its schema. A
 * placeholder whose value is missing (the schema did not require it) is refused too: a prompt
 * rendered with a hole is rarely what anyone meant.
 */
export function renderVersion(
  version: PromptVersionRow,
  variables: unknown,
  schemas: VariableSchemas,
): PromptRendering {
  const values = schemas.validate(version.variables, variables);
  const missing = new Set<string>();
  const messages = version.messages.map((m) => ({
    role: m.role,
    content: renderTemplate(parseTemplate(m.content), values, (path) => missing.add(path)),
  }));
  if (missing.size > 0) {
    const [first] = missing;
    throw badUserInput(`The variable ${first} has no value; the prompt's messages use it.`, {
      field: 'variables',
      path: `/${first!.replaceAll('.', '/')}`,
      missing: [...missing],
    });
  }
  return {
    promptId: version.promptId,
    version: version.version,
    messages,
    model: version.defaultModel,
    parameters: version.parameters,
    tools: version.tools,
    responseFormat: version.responseFormat,
  };
}
