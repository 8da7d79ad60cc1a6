import type { OrgTeamsQuery } from '../generated/graphql';

export type OrgTeam = OrgTeamsQuery['teams'][number];
export type Rule = OrgTeam['accessRules'][number];

/** An access rule as people read it: "allow model local/echo-chat", "deny any". */
export function ruleText(rule: Pick<Rule, 'effect' | 'subject' | 'value'>): string {
  return [rule.effect, rule.subject, rule.subject === 'ANY' ? '' : rule.value]
    .join(' ')
    .toLowerCase()
    .trim();
}
