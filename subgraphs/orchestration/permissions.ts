import {
  belongsToTeam,
  createPermissions,
  hasScopeInTeam,
  isAuthenticated,
} from '../../lib/auth/shield-rules.js';
import type { PromptRow } from './store/prompt-rows.js';

/**
 * What is not named is denied. Rules that need a prompt's team before it is loaded
 * (createPromptVersion, setPromptLabel, renderPrompt, prompt) let any signed-in caller reach the
 * service, which loads the prompt and applies service/prompt-access.ts (NOT_FOUND for another
 * team's prompt, FORBIDDEN for a member who is not an admin); `Prompt` itself is guarded again by
 * its team, so no path can show another team's prompt.
 */
export const orchestrationPermissions = createPermissions({
  Query: {
    orchestrationInfo: isAuthenticated,
    prompt: isAuthenticated,
    prompts: belongsToTeam<unknown, { teamId: string }>('prompts', (_p, args) => args.teamId),
    renderPrompt: isAuthenticated,
  },
  Mutation: {
    createPrompt: hasScopeInTeam<unknown, { input: { teamId: string } }>(
      'createPrompt',
      'policy:admin',
      (_p, args) => args.input.teamId,
    ),
    createPromptVersion: isAuthenticated,
    setPromptLabel: isAuthenticated,
  },
  OrchestrationInfo: isAuthenticated,
  Prompt: belongsToTeam<PromptRow>('Prompt', (prompt) => prompt.teamId),
  PromptVersion: isAuthenticated,
  PromptMessage: isAuthenticated,
  PromptParameters: isAuthenticated,
  PromptLabel: isAuthenticated,
  RenderedPrompt: isAuthenticated,
  PromptConnection: isAuthenticated,
  PromptEdge: isAuthenticated,
  PromptVersionConnection: isAuthenticated,
  PromptVersionEdge: isAuthenticated,
  PageInfo: isAuthenticated,
});
