import { DEFAULT_DATA_CLASS } from '../../../lib/policy/data-classes.js';
import { hasScope, isOrgAdmin, type Principal } from '../../../lib/auth/principal.js';
import {
  decideAccess,
  type AccessDecision,
  type DataClass,
  type ModelFacts,
} from './access-decision.js';
import type { PolicyLoaders } from '../loaders.js';
import type { ModelRepresentation } from '../store/rows.js';

const NO_SCOPE = 'You need the inference:invoke scope in a team.';

/**
 * Model.access: the caller may use the model if some team it may invoke models in (or the one it
 * names) is allowed it for this data class. Org admins without a team are judged by org-wide rules.
 */
export async function modelAccess(
  model: ModelRepresentation,
  args: { teamId?: string | null; dataClass?: DataClass | null },
  principal: Principal,
  loaders: Pick<PolicyLoaders, 'accessRules' | 'orgRules'>,
): Promise<AccessDecision> {
  const facts: ModelFacts = {
    id: model.id,
    providerId: model.provider?.id ?? '',
    capabilities: model.capabilities ?? [],
    tags: model.tags ?? [],
    ceiling: model.dataClassification ?? 'PUBLIC',
  };
  const dataClass = args.dataClass ?? DEFAULT_DATA_CLASS;
  const teams = args.teamId
    ? [args.teamId]
    : principal.teams.filter((t) => t.scopes.includes('inference:invoke')).map((t) => t.id);
  const eligible = teams.filter((teamId) => hasScope(principal, 'inference:invoke', teamId));
  if (eligible.length === 0) {
    if (isOrgAdmin(principal) && !args.teamId) {
      return decideAccess(facts, await loaders.orgRules.load('org'), dataClass);
    }
    return { allowed: false, reason: NO_SCOPE };
  }
  let first: AccessDecision | undefined;
  for (const teamId of eligible) {
    const decision = decideAccess(facts, await loaders.accessRules.load(teamId), dataClass);
    if (decision.allowed) return decision;
    first ??= decision;
  }
  return first as AccessDecision;
}
