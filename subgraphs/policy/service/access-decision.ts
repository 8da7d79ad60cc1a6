import type { AccessRuleRow } from '../store/access-rule-store.js';

import { DATA_CLASSES, type DataClass } from '../../../lib/policy/data-classes.js';

export { DATA_CLASSES, type DataClass };

/** What the decision needs to know about a model (the catalog owns these). */
export interface ModelFacts {
  id: string;
  providerId: string;
  capabilities: string[];
  tags: string[];
  ceiling: DataClass;
}

export interface AccessDecision {
  allowed: boolean;
  reason: string | null;
}

function matches(rule: AccessRuleRow, model: ModelFacts): boolean {
  switch (rule.subject) {
    case 'ANY':
      return true;
    case 'MODEL':
      return rule.value === model.id;
    case 'PROVIDER':
      return rule.value === model.providerId;
    case 'CAPABILITY':
      return model.capabilities.includes(rule.value);
    case 'TAG':
      return model.tags.includes(rule.value);
  }
}

const describe = (rule: AccessRuleRow) =>
  `${rule.teamId ? 'a team' : 'an organization'} rule (${rule.effect} ${rule.subject}${rule.value ? ` ${rule.value}` : ''})`;

/**
 * May a team send data of class `dataClass` to `model`? Data above the model's ceiling is refused
 * first; then a matching DENY (team or org-wide) wins over any ALLOW; a team rule or an org-wide
 * rule that allows grants it; nothing matching means denied (default deny).
 */
export function decideAccess(
  model: ModelFacts,
  teamRules: readonly AccessRuleRow[],
  dataClass: DataClass,
): AccessDecision {
  if (DATA_CLASSES.indexOf(dataClass) > DATA_CLASSES.indexOf(model.ceiling)) {
    return {
      allowed: false,
      reason: `${dataClass} data may not be sent to ${model.id}: its ceiling is ${model.ceiling}.`,
    };
  }
  const matching = teamRules.filter((rule) => matches(rule, model));
  const deny = matching.find((rule) => rule.effect === 'DENY');
  if (deny) return { allowed: false, reason: `Denied by ${describe(deny)}.` };
  if (matching.some((rule) => rule.effect === 'ALLOW')) return { allowed: true, reason: null };
  return { allowed: false, reason: `No rule grants ${model.id} to the team.` };
}
