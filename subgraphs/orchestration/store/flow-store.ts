import { randomUUID } from 'node:crypto';
import type { Db } from '../../../lib/db/index.js';
import type { FlowDefinition } from '../service/flows/flow-definition.js';

export interface FlowRow {
  id: string;
  teamId: string;
  name: string;
  description: string;
  createdBy: string;
  createdAt: Date;
}

export interface FlowVersionRow {
  flowId: string;
  version: number;
  definition: FlowDefinition;
  createdBy: string;
  createdAt: Date;
}

export interface FlowLabelRow {
  flowId: string;
  label: string;
  version: number;
  movedBy: string;
  movedAt: Date;
}

const FLOW = `id, team_id AS "teamId", name, description, created_by AS "createdBy",
  created_at AS "createdAt"`;
const VERSION = `flow_id AS "flowId", version, definition, created_by AS "createdBy",
  created_at AS "createdAt"`;
const LABEL = `flow_id AS "flowId", label, version, moved_by AS "movedBy", moved_at AS "movedAt"`;

/** Flows, their immutable numbered versions and movable labels. Team scoping is the caller's. */
export function createFlowStore(db: Db) {
  return {
    /** A new flow; null when the team has one of that name already. */
    async create(input: { teamId: string; name: string; description?: string; createdBy: string }) {
      const { rows } = await db.query<FlowRow>(
        `INSERT INTO flows (id, team_id, name, description, created_by)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (team_id, name) DO NOTHING RETURNING ${FLOW}`,
        [randomUUID(), input.teamId, input.name, input.description ?? '', input.createdBy],
      );
      return rows[0] ?? null;
    },

    async byId(id: string) {
      const { rows } = await db.query<FlowRow>(`SELECT ${FLOW} FROM flows WHERE id = $1`, [id]);
      return rows[0] ?? null;
    },

    /** A team's flows by name, after `afterName` when given. */
    async list(teamId: string, limit: number, afterName: string | null = null) {
      const { rows } = await db.query<FlowRow>(
        `SELECT ${FLOW} FROM flows WHERE team_id = $1 AND ($3::text IS NULL OR name > $3)
         ORDER BY name LIMIT $2`,
        [teamId, limit, afterName],
      );
      return rows;
    },

    async count(teamId: string) {
      const { rows } = await db.query<{ n: string }>(
        'SELECT count(*)::text AS n FROM flows WHERE team_id = $1',
        [teamId],
      );
      return Number(rows[0]!.n);
    },

    /** The next version (1, 2, …); two saves at once get different numbers. */
    async addVersion(flowId: string, definition: FlowDefinition, createdBy: string) {
      return db.transaction(async (tx) => {
        await tx.query('SELECT id FROM flows WHERE id = $1 FOR UPDATE', [flowId]);
        const { rows } = await tx.query<FlowVersionRow>(
          `INSERT INTO flow_versions (flow_id, version, definition, created_by)
           SELECT $1, COALESCE(max(version), 0) + 1, $2, $3 FROM flow_versions WHERE flow_id = $1
           RETURNING ${VERSION}`,
          [flowId, JSON.stringify(definition), createdBy],
        );
        return rows[0]!;
      });
    },

    async version(flowId: string, version: number) {
      const { rows } = await db.query<FlowVersionRow>(
        `SELECT ${VERSION} FROM flow_versions WHERE flow_id = $1 AND version = $2`,
        [flowId, version],
      );
      return rows[0] ?? null;
    },

    /** The version a label names, or the latest when neither is given. */
    async resolve(flowId: string, ref: { version?: number; label?: string }) {
      if (ref.version !== undefined) return this.version(flowId, ref.version);
      const { rows } = await db.query<FlowVersionRow>(
        ref.label !== undefined
          ? `SELECT ${VERSION} FROM flow_versions
             WHERE (flow_id, version) = (SELECT flow_id, version FROM flow_labels
                                         WHERE flow_id = $1 AND label = $2)`
          : `SELECT ${VERSION} FROM flow_versions WHERE flow_id = $1 ORDER BY version DESC LIMIT 1`,
        ref.label !== undefined ? [flowId, ref.label] : [flowId],
      );
      return rows[0] ?? null;
    },

    /** Points `label` at `version` (which must exist: false otherwise); the label before, if any. */
    async moveLabel(input: { flowId: string; label: string; version: number; movedBy: string }) {
      return db.transaction(async (tx) => {
        const exists = await tx.query(
          'SELECT 1 FROM flow_versions WHERE flow_id = $1 AND version = $2',
          [input.flowId, input.version],
        );
        if (exists.rowCount === 0) return { moved: false as const };
        const before = await tx.query<{ version: number }>(
          'SELECT version FROM flow_labels WHERE flow_id = $1 AND label = $2 FOR UPDATE',
          [input.flowId, input.label],
        );
        const { rows } = await tx.query<FlowLabelRow>(
          `INSERT INTO flow_labels (flow_id, label, version, moved_by) VALUES ($1, $2, $3, $4)
           ON CONFLICT (flow_id, label) DO UPDATE
             SET version = EXCLUDED.version, moved_by = EXCLUDED.moved_by, moved_at = now()
           RETURNING ${LABEL}`,
          [input.flowId, input.label, input.version, input.movedBy],
        );
        return {
          moved: true as const,
          label: rows[0]!,
          previousVersion: before.rows[0]?.version ?? null,
        };
      });
    },

    /** The versions of several flows, oldest first. */
    async versionsOfFlows(flowIds: readonly string[]) {
      const { rows } = await db.query<FlowVersionRow>(
        `SELECT ${VERSION} FROM flow_versions WHERE flow_id = ANY($1::uuid[])
         ORDER BY flow_id, version`,
        [flowIds],
      );
      return rows;
    },

    /** The labels of several flows, by name. */
    async labelsOfFlows(flowIds: readonly string[]) {
      const { rows } = await db.query<FlowLabelRow>(
        `SELECT ${LABEL} FROM flow_labels WHERE flow_id = ANY($1::uuid[]) ORDER BY label`,
        [flowIds],
      );
      return rows;
    },
  };
}

export type FlowStore = ReturnType<typeof createFlowStore>;
