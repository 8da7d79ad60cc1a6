import { CAPABILITIES } from '../../lib/catalog/capabilities.js';
import { badUserInput, notFound } from '../../lib/errors.js';
import type { Db } from '../../lib/db/index.js';
import type { Caller } from './policy-service.js';
import {
  createAccessRuleStore,
  type AccessEffect,
  type AccessRuleRow,
  type AccessSubject,
} from './store/access-rule-store.js';
import { createAuditStore } from './store/audit-store.js';
import { createTeamStore } from './store/team-store.js';
import { assertUuid } from '../../lib/ids.js';

const VALUE: Record<Exclude<AccessSubject, 'ANY'>, RegExp> = {
  MODEL: /^[a-z][a-z0-9-]{1,31}\/[a-z0-9][a-z0-9._:-]{0,99}$/,
  PROVIDER: /^[a-z][a-z0-9-]{1,31}$/,
  CAPABILITY: new RegExp(`^(${CAPABILITIES.join('|')})$`),
  TAG: /^[a-z0-9][a-z0-9-]{0,31}$/,
};

/** Adding and removing access rules, each audited in its own transaction. */
export function createAccessService(db: Db) {
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
      if (teamId) {
        assertUuid(teamId, 'teamId');
        if ((await createTeamStore(db).byIds([teamId])).length === 0)
          throw notFound('Team', teamId);
      }
      return db.transaction(async (tx) => {
        const rule = await createAccessRuleStore(tx).upsert({
          teamId,
          effect: input.effect,
          subject: input.subject,
          value,
          createdBy: caller.principal.id,
        });
        await createAuditStore(tx).append({
          teamId,
          actor: caller.principal.id,
          action: 'ACCESS_RULE_SET',
          outcome: 'SUCCEEDED',
          targetType: 'AccessRule',
          targetId: rule.id,
          requestId: caller.requestId,
          details: { effect: rule.effect, subject: rule.subject, value: rule.value },
        });
        return rule;
      });
    },

    async removeModelAccess(caller: Caller, id: string): Promise<AccessRuleRow> {
      assertUuid(id, 'id');
      return db.transaction(async (tx) => {
        const rule = await createAccessRuleStore(tx).remove(id);
        if (!rule) throw notFound('Access rule', id);
        await createAuditStore(tx).append({
          teamId: rule.teamId,
          actor: caller.principal.id,
          action: 'ACCESS_RULE_REMOVED',
          outcome: 'SUCCEEDED',
          targetType: 'AccessRule',
          targetId: rule.id,
          requestId: caller.requestId,
          details: { effect: rule.effect, subject: rule.subject, value: rule.value },
        });
        return rule;
      });
    },
  };
}

export type AccessService = ReturnType<typeof createAccessService>;
