import { GraphQLError } from 'graphql';
import type { Logger } from '../../../lib/logging.js';
import { unavailable, type ServiceClient } from '../../../lib/service-client.js';
import {
  ORCHESTRATION_INTERNAL_PATHS,
  type RenderPromptAnswer,
  type RenderPromptRequest,
} from '../../orchestration/internal-routes.js';
import type { PromptRendering } from '../../orchestration/service/prompt-render.js';

/**
 * Orchestration's prompt rendering, for calls that name a prompt (decision 98): inference asks as
 * itself (prompts:render), naming the team the call is charged to; orchestration answers the
 * rendered prompt or the refusal the client should see (NOT_FOUND, BAD_USER_INPUT with the
 * variable's path), raised here as it is. Not retried: rendering is cheap and a failure says
 * SERVICE_UNAVAILABLE before anything was held or charged.
 */
export function createPromptClient(options: {
  client: ServiceClient;
  orchestrationUrl: string;
  logger: Logger;
}) {
  const url = new URL(
    ORCHESTRATION_INTERNAL_PATHS.renderPrompt,
    options.orchestrationUrl,
  ).toString();
  return {
    async render(request: RenderPromptRequest, requestId: string): Promise<PromptRendering> {
      let answer: RenderPromptAnswer;
      try {
        answer = await options.client.post<RenderPromptAnswer>(url, request, requestId);
      } catch (error) {
        options.logger.error({ err: error, requestId }, 'prompt rendering failed');
        throw unavailable('Prompt rendering');
      }
      if ('refused' in answer) {
        throw new GraphQLError(answer.refused.message, { extensions: answer.refused.extensions });
      }
      return answer.rendered;
    },
  };
}

export type PromptClient = ReturnType<typeof createPromptClient>;
