import DataLoader from 'dataloader';
import { notFound } from '../../lib/errors.js';
import type { AccessRuleRow, AccessRuleStore } from './store/access-rule-store.js';
import type { ApiKeyStore } from './store/api-key-store.js';
import type { QuotaRow, QuotaStore } from './store/quota-store.js';
import type { ApiKeyRow, MemberRow, TeamRow } from './store/rows.js';
import type { TeamStore } from './store/team-store.js';
import { isUuid } from '../../lib/ids.js';

const MAX_BATCH = 1000;

function groupBy<T>(keys: readonly string[], rows: T[], keyOf: (row: T) => string): T[][] {
  const groups = new Map<string, T[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}

/** DataLoaders for one request. */
export function createPolicyLoaders(stores: {
  teams: TeamStore;
  apiKeys: ApiKeyStore;
  quotas: QuotaStore;
  accessRules: AccessRuleStore;
}) {
  return {
    /** A team's own access rules plus the org-wide ones. */
    accessRules: new DataLoader<string, AccessRuleRow[]>(
      async (teamIds) => {
        const rules = await stores.accessRules.forTeams(teamIds.filter(isUuid));
        return teamIds.map((teamId) =>
          rules.filter((r) => r.teamId === null || r.teamId === teamId),
        );
      },
      { maxBatchSize: MAX_BATCH },
    ),
    /** Only the org-wide rules (the key is ignored). */
    orgRules: new DataLoader<string, AccessRuleRow[]>(async (keys) => {
      const rules = (await stores.accessRules.forTeams([])).filter((r) => r.teamId === null);
      return keys.map(() => rules);
    }),
    quota: new DataLoader<string, QuotaRow>((teamIds) => stores.quotas.forTeams(teamIds), {
      maxBatchSize: MAX_BATCH,
    }),
    team: new DataLoader<string, TeamRow>(
      async (ids) => {
        const valid = ids.filter(isUuid);
        const found = new Map(
          (valid.length ? await stores.teams.byIds(valid) : []).map((t) => [t.id, t]),
        );
        return ids.map((id) => found.get(id) ?? notFound('Team', id));
      },
      { maxBatchSize: MAX_BATCH },
    ),
    members: new DataLoader<string, MemberRow[]>(
      async (teamIds) => groupBy(teamIds, await stores.teams.members(teamIds), (m) => m.teamId),
      { maxBatchSize: MAX_BATCH },
    ),
    apiKeys: new DataLoader<string, ApiKeyRow[]>(
      async (teamIds) => groupBy(teamIds, await stores.apiKeys.ofTeams(teamIds), (k) => k.teamId),
      { maxBatchSize: MAX_BATCH },
    ),
  };
}

export type PolicyLoaders = ReturnType<typeof createPolicyLoaders>;
