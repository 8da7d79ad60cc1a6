import { badUserInput } from '../../../lib/errors.js';
import type { InferenceContext } from '../context.js';
import type {
  GenerateInput,
  ResponseFormatInput,
  ToolInput,
} from '../generated/resolvers-types.js';
import type { PromptUse } from '../service/saga/saga-types.js';

/**
 * `generate`'s input with its prompt reference (if any) rendered by orchestration for the team
 * charged: the prompt's messages, and its model, temperature, maxTokens, tools and response
 * format where the input names none. Exactly one of `messages` and `prompt` (BAD_USER_INPUT).
 */
export async function resolvePromptInput(
  ctx: Pick<InferenceContext, 'prompts' | 'requestId'>,
  input: GenerateInput,
  teamId: string,
): Promise<{ input: GenerateInput; prompt?: PromptUse }> {
  const { prompt, messages } = input;
  if ((prompt == null) === (messages == null)) {
    throw badUserInput('Send exactly one of messages or prompt.', { field: 'messages' });
  }
  if (prompt == null) return { input };
  const rendered = await ctx.prompts.render(
    {
      teamId,
      ref: { promptId: prompt.promptId, version: prompt.version, label: prompt.label },
      variables: prompt.variables ?? {},
    },
    ctx.requestId,
  );
  const model = input.model ?? rendered.model;
  if (!model) {
    throw badUserInput(
      `Prompt version ${rendered.version} has no default model: name one with model.`,
      { field: 'model' },
    );
  }
  return {
    input: {
      ...input,
      model,
      messages: rendered.messages.map((m) => ({ role: m.role, content: m.content })),
      temperature: input.temperature ?? rendered.parameters.temperature,
      maxTokens: input.maxTokens ?? rendered.parameters.maxTokens,
      tools: input.tools ?? (rendered.tools as ToolInput[] | null),
      responseFormat:
        input.responseFormat ?? (rendered.responseFormat as ResponseFormatInput | null),
    },
    prompt: { promptId: rendered.promptId, version: rendered.version },
  };
}
