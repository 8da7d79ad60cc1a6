import { GraphQLError } from 'graphql';
import { hasServiceScope } from '../../lib/auth/principal.js';
import type { InternalTokenVerifier } from '../../lib/auth/internal-token.js';
import type { Routes } from '../../lib/http/http-server.js';
import { isUuid } from '../../lib/ids.js';
import { internalRoute, RouteRefusal } from '../../lib/subgraph/internal-route.js';
import { createOrchestrationLoaders } from './loaders.js';
import type { PromptRef, Prompts } from './service/prompts.js';
import type { PromptRendering } from './service/prompt-render.js';
import type { PromptStore } from './store/prompt-store.js';

/** The paths other services call. */
export const ORCHESTRATION_INTERNAL_PATHS = {
  renderPrompt: '/internal/render-prompt',
} as const;

/** What inference sends to render the prompt a call names. */
export interface RenderPromptRequest {
  /** The team the call is charged to: only its prompts can be used. */
  teamId: string;
  ref: PromptRef;
  variables: unknown;
}

/**
 * The answer: the rendered prompt, or the refusal a client should see (its code and extensions,
 * e.g. BAD_USER_INPUT with the failing variable's `path`, or NOT_FOUND), which the caller raises
 * as it is. A refusal is the business's answer, so it comes with status 200, not 4xx.
 */
export type RenderPromptAnswer =
  | { rendered: PromptRendering }
  | { refused: { message: string; extensions: Record<string, unknown> } };

const RENDER_BODY_LIMIT = 512 * 1024;

export function createOrchestrationInternalRoutes(
  verifier: InternalTokenVerifier,
  prompts: Prompts,
  store: PromptStore,
): Routes {
  return {
    [ORCHESTRATION_INTERNAL_PATHS.renderPrompt]: {
      POST: internalRoute(
        verifier,
        async (body, claims): Promise<RenderPromptAnswer> => {
          if (!hasServiceScope(claims.principal, 'prompts:render')) {
            throw new RouteRefusal(403, 'FORBIDDEN', 'Rendering for calls needs prompts:render.');
          }
          const ref = body.ref as PromptRef | undefined;
          if (typeof body.teamId !== 'string' || !isUuid(body.teamId) || !ref) {
            throw new RouteRefusal(400, 'BAD_REQUEST', 'Send teamId (a UUID) and ref.');
          }
          const caller = {
            principal: claims.principal,
            requestId: claims.requestId,
            loaders: createOrchestrationLoaders(store),
          };
          try {
            return {
              rendered: await prompts.renderForTeam(
                caller,
                body.teamId,
                {
                  promptId: String(ref.promptId ?? ''),
                  version: typeof ref.version === 'number' ? ref.version : null,
                  label: typeof ref.label === 'string' ? ref.label : null,
                },
                body.variables,
              ),
            };
          } catch (error) {
            if (!(error instanceof GraphQLError)) throw error;
            return { refused: { message: error.message, extensions: error.extensions } };
          }
        },
        { bodyLimitBytes: RENDER_BODY_LIMIT },
      ),
    },
  };
}
