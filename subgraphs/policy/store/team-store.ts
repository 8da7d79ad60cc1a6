import type { Queryable } from '../../../lib/db/index.js';
import type { TeamRole } from '../../../lib/auth/principal.js';
import type { MemberRow, TeamRow } from './rows.js';

interface TeamRecord {
  id: string;
  name: string;
  created_by: string;
  created_at: Date;
}
const toTeam = (r: TeamRecord): TeamRow => ({
  id: r.id,
  name: r.name,
  createdBy: r.created_by,
  createdAt: r.created_at,
});

interface MemberRecord {
  team_id: string;
  user_id: string;
  role: TeamRole;
  updated_at: Date;
}
const toMember = (r: MemberRecord): MemberRow => ({
  teamId: r.team_id,
  userId: r.user_id,
  role: r.role,
  updatedAt: r.updated_at,
});

/**
 * Teams and the people in them.
 * Long only because it lists its methods: each is short and stands alone (a factory, not a flow).
 */
export function createTeamStore(db: Queryable) {
  return {
    async byIds(ids: readonly string[]): Promise<TeamRow[]> {
      const { rows } = await db.query<TeamRecord>(
        'SELECT * FROM teams WHERE id = ANY($1::uuid[])',
        [ids],
      );
      return rows.map(toTeam);
    },
    async list(ids?: readonly string[]): Promise<TeamRow[]> {
      const { rows } = ids
        ? await db.query<TeamRecord>(
            'SELECT * FROM teams WHERE id = ANY($1::uuid[]) ORDER BY name',
            [ids],
          )
        : await db.query<TeamRecord>('SELECT * FROM teams ORDER BY name');
      return rows.map(toTeam);
    },
    async byName(name: string): Promise<TeamRow | undefined> {
      const { rows } = await db.query<TeamRecord>(
        'SELECT * FROM teams WHERE lower(name) = lower($1)',
        [name],
      );
      return rows[0] && toTeam(rows[0]);
    },
    /** Inserts a team; undefined when the name is taken. */
    async insert(name: string, createdBy: string): Promise<TeamRow | undefined> {
      const { rows } = await db.query<TeamRecord>(
        `INSERT INTO teams (name, created_by) VALUES ($1, $2)
         ON CONFLICT ((lower(name))) DO NOTHING RETURNING *`,
        [name, createdBy],
      );
      return rows[0] && toTeam(rows[0]);
    },
    async upsertMember(teamId: string, userId: string, role: TeamRole): Promise<MemberRow> {
      const { rows } = await db.query<MemberRecord>(
        `INSERT INTO team_members (team_id, user_id, role) VALUES ($1, $2, $3)
         ON CONFLICT (team_id, user_id) DO UPDATE SET role = EXCLUDED.role, updated_at = now()
         RETURNING *`,
        [teamId, userId, role],
      );
      return toMember(rows[0] as MemberRecord);
    },
    /** The person's membership row, locked for the rest of the transaction. */
    async lockMember(teamId: string, userId: string): Promise<MemberRow | undefined> {
      const { rows } = await db.query<MemberRecord>(
        'SELECT * FROM team_members WHERE team_id = $1 AND user_id = $2 FOR UPDATE',
        [teamId, userId],
      );
      return rows[0] && toMember(rows[0]);
    },
    async removeMember(teamId: string, userId: string): Promise<boolean> {
      const { rowCount } = await db.query(
        'DELETE FROM team_members WHERE team_id = $1 AND user_id = $2',
        [teamId, userId],
      );
      return rowCount === 1;
    },
    async members(teamIds: readonly string[]): Promise<MemberRow[]> {
      const { rows } = await db.query<MemberRecord>(
        'SELECT * FROM team_members WHERE team_id = ANY($1::uuid[]) ORDER BY team_id, user_id',
        [teamIds],
      );
      return rows.map(toMember);
    },
    /** A person's memberships in every team, for the gateway to build their principal. */
    async membershipsOf(userId: string): Promise<MemberRow[]> {
      const { rows } = await db.query<MemberRecord>(
        'SELECT * FROM team_members WHERE user_id = $1 ORDER BY team_id',
        [userId],
      );
      return rows.map(toMember);
    },
  };
}

export type TeamStore = ReturnType<typeof createTeamStore>;
