import { hasScope, isOrgAdmin, type Principal } from '../../../lib/auth/principal.js';
import { forbidden, notFound } from '../../../lib/errors.js';
import type { PromptRow } from '../store/prompt-rows.js';

/**
 * Who may do what with a team's prompts (decision 98): members of the team (any role, or an API
 * key of the team) read and render them; team admins (policy:admin in the team: ADMIN and OWNER)
 * create prompts and versions and move labels; organization admins do anything. A prompt of a
 * team the caller is not in does not exist for them (NOT_FOUND), so ids reveal nothing.
 */
export function mayRead(principal: Principal, teamId: string): boolean {
  return isOrgAdmin(principal) || principal.teams.some((t) => t.id === teamId);
}

export function mayEdit(principal: Principal, teamId: string): boolean {
  return hasScope(principal, 'policy:admin', teamId);
}

/** The prompt, when the caller may read it; NOT_FOUND otherwise (missing or another team's). */
export function readable(principal: Principal, prompt: PromptRow | null, id: string): PromptRow {
  if (!prompt || !mayRead(principal, prompt.teamId)) throw notFound('Prompt', id);
  return prompt;
}

/** The prompt, when the caller may change it; NOT_FOUND or FORBIDDEN otherwise. */
export function editable(principal: Principal, prompt: PromptRow | null, id: string): PromptRow {
  const found = readable(principal, prompt, id);
  if (!mayEdit(principal, found.teamId)) {
    throw forbidden("Only the team's admins (policy:admin) may change its prompts.");
  }
  return found;
}
