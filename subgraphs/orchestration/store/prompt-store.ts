import type { Db } from '../../../lib/db/index.js';
import {
  labelOf,
  promptOf,
  versionOf,
  type LabelDbRow,
  type PromptDbRow,
  type PromptLabelRow,
  type PromptRow,
  type PromptVersionContent,
  type PromptVersionRow,
  type VersionDbRow,
} from './prompt-rows.js';

const VERSION_COLUMNS = `prompt_id, version, messages, variables, default_model, parameters, tools,
  response_format, content_hash, created_by, created_at`;

/** What a new version's insert found: the version, or a key already used for other content. */
export type VersionInsert =
  | { kind: 'CREATED' | 'REPLAYED'; version: PromptVersionRow }
  | { kind: 'KEY_CONFLICT' }
  | { kind: 'NO_PROMPT' };

/** Prompts, their versions and labels (store/migrations.ts, 002_prompts). */
export function createPromptStore(db: Db) {
  return {
    async insertPrompt(p: {
      id: string;
      teamId: string;
      name: string;
      description: string | null;
      createdBy: string;
    }): Promise<PromptRow | null> {
      const { rows } = await db.query<PromptDbRow>(
        `INSERT INTO prompts (id, team_id, name, description, created_by)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (team_id, name) DO NOTHING
         RETURNING *`,
        [p.id, p.teamId, p.name, p.description, p.createdBy],
      );
      return rows[0] ? promptOf(rows[0]) : null;
    },

    async promptsByIds(ids: readonly string[]): Promise<PromptRow[]> {
      const { rows } = await db.query<PromptDbRow>('SELECT * FROM prompts WHERE id = ANY($1)', [
        ids,
      ]);
      return rows.map(promptOf);
    },

    /** A team's prompts by name, `limit` from after `afterName`. */
    async promptsOfTeam(teamId: string, limit: number, afterName: string | null) {
      const { rows } = await db.query<PromptDbRow>(
        `SELECT * FROM prompts WHERE team_id = $1 AND ($2::text IS NULL OR name > $2)
         ORDER BY name LIMIT $3`,
        [teamId, afterName, limit],
      );
      return rows.map(promptOf);
    },

    async countOfTeam(teamId: string): Promise<number> {
      const { rows } = await db.query<{ n: string }>(
        'SELECT count(*) AS n FROM prompts WHERE team_id = $1',
        [teamId],
      );
      return Number(rows[0]?.n ?? 0);
    },

    /**
     * Adds the next version under the prompt's row lock, so numbers run 1..n without gaps; with
     * `idempotencyKey`, a key used before answers its version (same content) or KEY_CONFLICT.
     */
    insertVersion(v: {
      promptId: string;
      content: PromptVersionContent;
      contentHash: string;
      idempotencyKey: string | null;
      createdBy: string;
    }): Promise<VersionInsert> {
      return db.transaction(async (tx) => {
        const locked = await tx.query<{ latest_version: number }>(
          'SELECT latest_version FROM prompts WHERE id = $1 FOR UPDATE',
          [v.promptId],
        );
        if (!locked.rows[0]) return { kind: 'NO_PROMPT' } as const;
        if (v.idempotencyKey !== null) {
          const seen = await tx.query<VersionDbRow>(
            `SELECT ${VERSION_COLUMNS} FROM prompt_versions
             WHERE prompt_id = $1 AND idempotency_key = $2`,
            [v.promptId, v.idempotencyKey],
          );
          const row = seen.rows[0];
          if (row) {
            return row.content_hash === v.contentHash
              ? ({ kind: 'REPLAYED', version: versionOf(row) } as const)
              : ({ kind: 'KEY_CONFLICT' } as const);
          }
        }
        const next = Number(locked.rows[0].latest_version) + 1;
        const c = v.content;
        const { rows } = await tx.query<VersionDbRow>(
          `INSERT INTO prompt_versions (prompt_id, version, messages, variables, default_model,
             parameters, tools, response_format, content_hash, idempotency_key, created_by)
           VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6::jsonb, $7::jsonb, $8::jsonb, $9, $10, $11)
           RETURNING ${VERSION_COLUMNS}`,
          [
            v.promptId,
            next,
            JSON.stringify(c.messages),
            JSON.stringify(c.variables),
            c.defaultModel,
            JSON.stringify(c.parameters),
            c.tools === null ? null : JSON.stringify(c.tools),
            c.responseFormat === null ? null : JSON.stringify(c.responseFormat),
            v.contentHash,
            v.idempotencyKey,
            v.createdBy,
          ],
        );
        await tx.query('UPDATE prompts SET latest_version = $2 WHERE id = $1', [v.promptId, next]);
        return { kind: 'CREATED', version: versionOf(rows[0]!) } as const;
      });
    },

    /** Versions by (prompt, number); missing ones are left out. */
    async versions(keys: ReadonlyArray<{ promptId: string; version: number }>) {
      const { rows } = await db.query<VersionDbRow>(
        `SELECT ${VERSION_COLUMNS} FROM prompt_versions v
         JOIN unnest($1::uuid[], $2::int[]) AS k(prompt_id, version) USING (prompt_id, version)`,
        [keys.map((k) => k.promptId), keys.map((k) => k.version)],
      );
      return rows.map(versionOf);
    },

    /** A prompt's versions, newest first. */
    async versionsOf(promptId: string, limit: number, beforeVersion: number | null) {
      const { rows } = await db.query<VersionDbRow>(
        `SELECT ${VERSION_COLUMNS} FROM prompt_versions
         WHERE prompt_id = $1 AND ($2::int IS NULL OR version < $2)
         ORDER BY version DESC LIMIT $3`,
        [promptId, beforeVersion, limit],
      );
      return rows.map(versionOf);
    },

    async labelsOf(promptIds: readonly string[]): Promise<PromptLabelRow[]> {
      const { rows } = await db.query<LabelDbRow>(
        'SELECT * FROM prompt_labels WHERE prompt_id = ANY($1) ORDER BY label',
        [promptIds],
      );
      return rows.map(labelOf);
    },

    /** Points `label` at `version` (which must exist); the label as it was before, if it was. */
    setLabel(l: { promptId: string; label: string; version: number; movedBy: string }) {
      return db.transaction(async (tx) => {
        const before = await tx.query<LabelDbRow>(
          'SELECT * FROM prompt_labels WHERE prompt_id = $1 AND label = $2 FOR UPDATE',
          [l.promptId, l.label],
        );
        const { rows } = await tx.query<LabelDbRow>(
          `INSERT INTO prompt_labels (prompt_id, label, version, moved_by)
           VALUES ($1, $2, $3, $4)
           ON CONFLICT (prompt_id, label)
           DO UPDATE SET version = EXCLUDED.version, moved_by = EXCLUDED.moved_by, moved_at = now()
           RETURNING *`,
          [l.promptId, l.label, l.version, l.movedBy],
        );
        return {
          label: labelOf(rows[0]!),
          previousVersion: before.rows[0] ? Number(before.rows[0].version) : null,
        };
      });
    },
  };
}

export type PromptStore = ReturnType<typeof createPromptStore>;
