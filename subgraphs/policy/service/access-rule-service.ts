import { CAPABILITIES } from '../../../lib/catalog/capabilities.js';
import { badUserInput, notFound } from '../../../lib/errors.js';
import type { Db, Queryable } from '../../../lib/db/index.js';
import { requireTeam, type Caller } from './audit-trail.js';
import {
  createAccessRuleStore,
  type AccessEffect,
  type AccessRuleRow,
  type AccessSubject,
} from '../store/access-rule-store.js';
import { createAuditStore } from '../store/audit-store.js';
import { assertUuid } from '../../../lib/ids.js';

const VALUE: Record<Exclude<AccessSubject, 'ANY'>, RegExp> = {
  MODEL: /^[a-z][a-z0-9-]{1,31}\/[a-z0-9][a-z0-9._:-]{0,99}$/,
  PROVIDER: /^[a-z][a-z0-9-]{1,31}$/,
  CAPABILITY: new RegExp(`^(${CAPABILITIES.join('|')})$`),
  TAG: /^[a-z0-9][a-z0-9-]{0,31}$/,
};

/** The audit event of a rule set or removed, written in the change's own transaction. */
const recordRuleChange = (
  tx: Queryable,
  caller: Caller,
  action: 'ACCESS_RULE_SET' | 'ACCESS_RULE_REMOVED',
  rule: AccessRuleRow,
) =>
  createAuditStore(tx).append({
    teamId: rule.teamId,
    actor: caller.principal.id,
    action,
    outcome: 'SUCCEEDED',
    targetType: 'AccessRule',
    targetId: rule.id,
    requestId: caller.requestId,
    details: { effect: rule.effect, subject: rule.subject, value: rule.value },
  });

/** Adding and removing access rules, each audited in its own transaction. */
export function createAccessRuleService(db: Db) {
  return {
    async setModelAccess(
      caller: Caller,
      input: {
        teamId?: string | null;
        effect: AccessEffect;
        subject: AccessSubject;
        value?: string | null;
      },
    ): Promise<AccessRuleRow> {
      const value = input.value ?? '';
      if (input.subject === 'ANY' ? value !== '' : !VALUE[input.subject].test(value)) {
        throw badUserInput(`value does not fit subject ${input.subject}.`, { field: 'value' });
      }
      const teamId = input.teamId ?? null;
      if (teamId) await requireTeam(db, teamId);
      return db.transaction(async (tx) => {
        const rule = await createAccessRuleStore(tx).upsert({
          teamId,
          effect: input.effect,
          subject: input.subject,
          value,
          createdBy: caller.principal.id,
        });
        await recordRuleChange(tx, caller, 'ACCESS_RULE_SET', rule);
        return rule;
      });
    },

    async removeModelAccess(caller: Caller, id: string): Promise<AccessRuleRow> {
      assertUuid(id, 'id');
      return db.transaction(async (tx) => {
        const rule = await createAccessRuleStore(tx).remove(id);
        if (!rule) throw notFound('Access rule', id);
        await recordRuleChange(tx, caller, 'ACCESS_RULE_REMOVED', rule);
        return rule;
      });
    },
  };
}

export type AccessRuleService = ReturnType<typeof createAccessRuleService>;
