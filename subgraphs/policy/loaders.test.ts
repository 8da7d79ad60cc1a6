import { createPolicyLoaders } from './loaders.js';
import type { AccessRuleRow, AccessRuleStore } from './store/access-rule-store.js';
import type { ApiKeyStore } from './store/api-key-store.js';
import type { QuotaRow, QuotaStore } from './store/quota-store.js';
import type { ApiKeyRow, MemberRow, TeamRow } from './store/rows.js';
import type { TeamStore } from './store/team-store.js';

const NOW = new Date('2026-01-31T12:00:00Z');
const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';

const team = (id: string): TeamRow => ({ id, name: id, createdBy: 'user:root', createdAt: NOW });
const member = (teamId: string, userId: string): MemberRow => ({
  teamId,
  userId,
  role: 'MEMBER',
  updatedAt: NOW,
});
const key = (teamId: string, id: string): ApiKeyRow => ({
  id,
  teamId,
  name: id,
  prefix: 'mg_x',
  scopes: ['models:read'],
  createdBy: 'user:root',
  createdAt: NOW,
  expiresAt: null,
  revokedAt: null,
  lastUsedAt: null,
});
const rule = (teamId: string | null, id: string): AccessRuleRow => ({
  id,
  teamId,
  effect: 'ALLOW',
  subject: 'ANY',
  value: '',
  createdBy: 'user:root',
  createdAt: NOW,
});

/** Fake stores that record every batch they are asked for and answer in an order of their own. */
function recordingStores() {
  const calls = {
    teams: [] as string[][],
    members: [] as string[][],
    apiKeys: [] as string[][],
    quotas: [] as string[][],
    accessRules: [] as string[][],
  };
  const record = (list: string[][], ids: readonly string[]) => list.push([...ids]);
  const rules = [rule(null, 'org'), rule(A, 'ra'), rule(B, 'rb')];
  const stores = {
    teams: {
      byIds: async (ids: readonly string[]) => {
        record(calls.teams, ids);
        return [A, B]
          .filter((id) => ids.includes(id))
          .map(team)
          .reverse();
      },
      members: async (ids: readonly string[]) => {
        record(calls.members, ids);
        return [member(B, 'bob'), member(A, 'ann'), member(A, 'amy')].filter((m) =>
          ids.includes(m.teamId),
        );
      },
    } as unknown as TeamStore,
    apiKeys: {
      ofTeams: async (ids: readonly string[]) => {
        record(calls.apiKeys, ids);
        return [key(B, 'kb'), key(A, 'ka')].filter((k) => ids.includes(k.teamId));
      },
    } as unknown as ApiKeyStore,
    quotas: {
      forTeams: async (ids: readonly string[]): Promise<QuotaRow[]> => {
        record(calls.quotas, ids);
        return ids.map((teamId) => ({ teamId, rpm: teamId === A ? 60 : undefined }));
      },
    } as unknown as QuotaStore,
    accessRules: {
      forTeams: async (ids: readonly string[]) => {
        record(calls.accessRules, ids);
        return rules.filter((r) => r.teamId === null || ids.includes(r.teamId));
      },
    } as unknown as AccessRuleStore,
  };
  return { calls, loaders: createPolicyLoaders(stores) };
}

describe('team loader', () => {
  it('loads every team asked for in one batch, in key order', async () => {
    const { calls, loaders } = recordingStores();
    const rows = await Promise.all([A, B].map((id) => loaders.team.load(id)));
    expect(calls.teams).toEqual([[A, B]]);
    expect(rows.map((t) => t.id)).toEqual([A, B]);
  });

  it('fails only the missing or malformed key with NOT_FOUND, never asking for a non-uuid', async () => {
    const { calls, loaders } = recordingStores();
    const results = await Promise.allSettled([A, C, 'nope'].map((id) => loaders.team.load(id)));
    expect(calls.teams).toEqual([[A, C]]);
    expect(
      results.map((r) => (r.status === 'fulfilled' ? r.value.id : r.reason.extensions)),
    ).toEqual([A, { code: 'NOT_FOUND', id: C }, { code: 'NOT_FOUND', id: 'nope' }]);
  });

  it('asks the store nothing when no key is a uuid', async () => {
    const { calls, loaders } = recordingStores();
    await expect(loaders.team.load('nope')).rejects.toMatchObject({
      extensions: { code: 'NOT_FOUND' },
    });
    expect(calls.teams).toEqual([]);
  });

  it('splits more than 1000 ids into batches of at most 1000', async () => {
    const { calls, loaders } = recordingStores();
    const many = Array.from(
      { length: 1001 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    await loaders.team.loadMany(many);
    expect(calls.teams.map((batch) => batch.length)).toEqual([1000, 1]);
  });
});

describe('members and apiKeys loaders', () => {
  it('batch the teams asked for and group rows per team, empty for a team without any', async () => {
    const { calls, loaders } = recordingStores();
    const [a, b, c] = await Promise.all([A, B, C].map((id) => loaders.members.load(id)));
    expect(calls.members).toEqual([[A, B, C]]);
    expect([a, b, c].map((rows) => rows.map((m) => m.userId))).toEqual([
      ['ann', 'amy'],
      ['bob'],
      [],
    ]);

    const keys = await Promise.all([B, A, C].map((id) => loaders.apiKeys.load(id)));
    expect(calls.apiKeys).toEqual([[B, A, C]]);
    expect(keys.map((rows) => rows.map((k) => k.id))).toEqual([['kb'], ['ka'], []]);
  });
});

describe('quota loader', () => {
  it('asks once for every team of an operation, answering in key order', async () => {
    const { calls, loaders } = recordingStores();
    const [b, a] = await Promise.all([loaders.quota.load(B), loaders.quota.load(A)]);
    expect(calls.quotas).toEqual([[B, A]]);
    expect([b.teamId, b.rpm, a.teamId, a.rpm]).toEqual([B, undefined, A, 60]);
  });
});

describe('access rule loaders', () => {
  it('batch teams and give each its own rules plus the org-wide ones', async () => {
    const { calls, loaders } = recordingStores();
    const [a, c] = await Promise.all([loaders.accessRules.load(A), loaders.accessRules.load(C)]);
    expect(calls.accessRules).toEqual([[A, C]]);
    expect(a.map((r) => r.id)).toEqual(['org', 'ra']);
    expect(c.map((r) => r.id)).toEqual(['org']);
  });

  it('leave malformed team ids out of the query', async () => {
    const { calls, loaders } = recordingStores();
    expect((await loaders.accessRules.load('nope')).map((r) => r.id)).toEqual(['org']);
    expect(calls.accessRules).toEqual([[]]);
  });

  it('read the org-wide rules once, whatever the keys', async () => {
    const { calls, loaders } = recordingStores();
    const [x, y] = await Promise.all([loaders.orgRules.load('org'), loaders.orgRules.load('x')]);
    expect(calls.accessRules).toEqual([[]]);
    expect([x, y].map((rows) => rows.map((r) => r.id))).toEqual([['org'], ['org']]);
  });
});
