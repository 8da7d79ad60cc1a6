import { decideAccess, type ModelFacts } from './access-decision.js';
import type { AccessRuleRow } from '../store/access-rule-store.js';

const model: ModelFacts = {
  id: 'openai/gpt-4o',
  providerId: 'openai',
  capabilities: ['CHAT', 'TOOLS'],
  tags: ['flagship'],
  ceiling: 'INTERNAL',
};
let n = 0;
const rule = (
  effect: 'ALLOW' | 'DENY',
  subject: AccessRuleRow['subject'],
  value = '',
  teamId: string | null = 't',
): AccessRuleRow => ({
  id: `r${(n += 1)}`,
  teamId,
  effect,
  subject,
  value,
  createdBy: 'admin',
  createdAt: new Date(0),
});

describe('decideAccess', () => {
  it.each([
    ['no rule at all (default deny)', [], false],
    ['an org-wide ALLOW ANY (org default allows)', [rule('ALLOW', 'ANY', '', null)], true],
    ['a team ALLOW by model id', [rule('ALLOW', 'MODEL', 'openai/gpt-4o')], true],
    ['a team ALLOW by provider', [rule('ALLOW', 'PROVIDER', 'openai')], true],
    ['a team ALLOW by capability', [rule('ALLOW', 'CAPABILITY', 'TOOLS')], true],
    ['a team ALLOW by tag', [rule('ALLOW', 'TAG', 'flagship')], true],
    ['an ALLOW that matches another model', [rule('ALLOW', 'MODEL', 'openai/gpt-4o-mini')], false],
    [
      'ALLOW ANY but DENY by provider (deny wins)',
      [rule('ALLOW', 'ANY'), rule('DENY', 'PROVIDER', 'openai')],
      false,
    ],
    [
      'team ALLOW but org-wide DENY by tag',
      [rule('ALLOW', 'MODEL', 'openai/gpt-4o'), rule('DENY', 'TAG', 'flagship', null)],
      false,
    ],
  ] as const)('%s → allowed %s', (_name, rules, allowed) => {
    const decision = decideAccess(model, [...rules], 'PUBLIC');
    expect(decision.allowed).toBe(allowed);
    expect(decision.reason === null).toBe(allowed);
  });

  it('refuses data above the model ceiling even when a rule allows, and says why', () => {
    const allowAll = [rule('ALLOW', 'ANY')];
    expect(decideAccess(model, allowAll, 'INTERNAL').allowed).toBe(true);
    const refused = decideAccess(model, allowAll, 'CONFIDENTIAL');
    expect(refused).toEqual({
      allowed: false,
      reason: expect.stringContaining('ceiling is INTERNAL'),
    });
  });

  it('names the deny rule that refused', () => {
    const refused = decideAccess(
      model,
      [rule('ALLOW', 'ANY'), rule('DENY', 'PROVIDER', 'openai')],
      'PUBLIC',
    );
    expect(refused.reason).toMatch(/DENY PROVIDER openai/);
  });
});
