import type { Queryable } from '../../../lib/db/index.js';

export type AccessEffect = 'ALLOW' | 'DENY';
export type AccessSubject = 'ANY' | 'MODEL' | 'PROVIDER' | 'CAPABILITY' | 'TAG';

/** One allow or deny rule; `teamId` null is org-wide. */
export interface AccessRuleRow {
  id: string;
  teamId: string | null;
  effect: AccessEffect;
  subject: AccessSubject;
  value: string;
  createdBy: string;
  createdAt: Date;
}

interface AccessRuleRecord {
  id: string;
  team_id: string | null;
  effect: AccessEffect;
  subject: AccessSubject;
  value: string;
  created_by: string;
  created_at: Date;
}

const toRule = (r: AccessRuleRecord): AccessRuleRow => ({
  id: r.id,
  teamId: r.team_id,
  effect: r.effect,
  subject: r.subject,
  value: r.value,
  createdBy: r.created_by,
  createdAt: r.created_at,
});

export function createAccessRuleStore(db: Queryable) {
  return {
    /** The teams' own rules and every org-wide rule. */
    async forTeams(teamIds: readonly string[]): Promise<AccessRuleRow[]> {
      const { rows } = await db.query<AccessRuleRecord>(
        `SELECT * FROM access_rules WHERE team_id IS NULL OR team_id = ANY($1::uuid[])
         ORDER BY created_at, id`,
        [teamIds],
      );
      return rows.map(toRule);
    },
    /** Inserts a rule, or returns the identical one that exists. */
    async upsert(rule: Omit<AccessRuleRow, 'id' | 'createdAt'>): Promise<AccessRuleRow> {
      await db.query(
        `INSERT INTO access_rules (team_id, effect, subject, value, created_by)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [rule.teamId, rule.effect, rule.subject, rule.value, rule.createdBy],
      );
      const { rows } = await db.query<AccessRuleRecord>(
        `SELECT * FROM access_rules WHERE team_id IS NOT DISTINCT FROM $1 AND effect = $2
           AND subject = $3 AND value = $4`,
        [rule.teamId, rule.effect, rule.subject, rule.value],
      );
      return toRule(rows[0] as AccessRuleRecord);
    },
    async remove(id: string): Promise<AccessRuleRow | undefined> {
      const { rows } = await db.query<AccessRuleRecord>(
        'DELETE FROM access_rules WHERE id = $1 RETURNING *',
        [id],
      );
      return rows[0] && toRule(rows[0]);
    },
  };
}

export type AccessRuleStore = ReturnType<typeof createAccessRuleStore>;
