import { randomUUID } from 'node:crypto';
import type { Principal } from '../../../lib/auth/principal.js';
import { badUserInput, codedError, conflict, notFound } from '../../../lib/errors.js';
import { assertUuid, isUuid } from '../../../lib/ids.js';
import type { AuditClient } from '../clients/audit-client.js';
import type { OrchestrationLoaders } from '../loaders.js';
import type { PromptLabelRow, PromptRow, PromptVersionRow } from '../store/prompt-rows.js';
import type { PromptStore } from '../store/prompt-store.js';
import { editable, readable } from './prompt-access.js';
import { checkVersionContent, contentHashOf, type VersionInput } from './prompt-content.js';
import { renderVersion, type PromptRendering } from './prompt-render.js';
import type { VariableSchemas } from './prompt-variables.js';

const LABEL = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

/** Which version of a prompt: exactly one of `version` and `label`. */
export interface PromptRef {
  promptId: string;
  version?: number | null;
  label?: string | null;
}

/** Who is asking, in this request. */
export interface PromptCaller {
  principal: Principal;
  requestId: string;
  loaders: OrchestrationLoaders;
}

/**
 * The prompts service: the rules of prompt templates (decisions 98 and 99) apart from GraphQL
 * and SQL. Reads go through the request's loaders; every check of who may do what is in
 * prompt-access.ts.
 */
export function createPrompts(deps: {
  store: PromptStore;
  schemas: VariableSchemas;
  audit: AuditClient;
}) {
  const { store, schemas, audit } = deps;

  const promptFor = async (caller: PromptCaller, id: string) =>
    isUuid(id) ? caller.loaders.prompt.load(id) : null;

  /** The version a reference names (NOT_FOUND for a label or number the prompt lacks). */
  async function versionOf(caller: PromptCaller, prompt: PromptRow, ref: PromptRef) {
    const hasVersion = ref.version != null;
    const hasLabel = ref.label != null;
    if (hasVersion === hasLabel) {
      throw badUserInput('Name exactly one of version or label.', { field: 'version' });
    }
    let number = ref.version ?? undefined;
    if (hasLabel) {
      const labels = await caller.loaders.labels.load(prompt.id);
      const label = labels.find((l) => l.label === ref.label);
      if (!label) {
        throw notFound(
          'Prompt label',
          ref.label!,
          labels.map((l) => l.label),
        );
      }
      number = label.version;
    }
    const version = await caller.loaders.version.load({ promptId: prompt.id, version: number! });
    if (!version) throw notFound('Prompt version', `${prompt.id}@${number}`);
    return version;
  }

  return {
    async prompt(caller: PromptCaller, id: string): Promise<PromptRow | null> {
      const prompt = await promptFor(caller, id);
      try {
        return readable(caller.principal, prompt, id);
      } catch {
        return null;
      }
    },

    async createPrompt(
      caller: PromptCaller,
      input: { teamId: string; name: string; description?: string | null },
    ): Promise<PromptRow> {
      assertUuid(input.teamId, 'teamId');
      const name = input.name.trim();
      if (name.length < 1 || name.length > 100) {
        throw badUserInput('name must be 1 to 100 characters.', { field: 'name' });
      }
      if ((input.description ?? '').length > 1000) {
        throw badUserInput('description must be at most 1000 characters.', {
          field: 'description',
        });
      }
      const created = await store.insertPrompt({
        id: randomUUID(),
        teamId: input.teamId,
        name,
        description: input.description ?? null,
        createdBy: caller.principal.id,
      });
      if (!created) throw conflict(`The team already has a prompt named "${name}".`);
      return created;
    },

    async createVersion(
      caller: PromptCaller,
      input: VersionInput & { promptId: string; idempotencyKey?: string | null },
    ): Promise<PromptVersionRow> {
      const prompt = editable(
        caller.principal,
        await promptFor(caller, input.promptId),
        input.promptId,
      );
      const key = input.idempotencyKey ?? null;
      if (key !== null && (key.length < 1 || key.length > 255)) {
        throw badUserInput('idempotencyKey must be 1 to 255 characters.', {
          field: 'idempotencyKey',
        });
      }
      const content = checkVersionContent(input, schemas);
      const inserted = await store.insertVersion({
        promptId: prompt.id,
        content,
        contentHash: contentHashOf(content),
        idempotencyKey: key,
        createdBy: caller.principal.id,
      });
      if (inserted.kind === 'NO_PROMPT') throw notFound('Prompt', prompt.id);
      if (inserted.kind === 'KEY_CONFLICT') {
        throw codedError(
          'IDEMPOTENCY_CONFLICT',
          'This idempotency key was used for a version with other content.',
        );
      }
      if (inserted.kind === 'CREATED') {
        await audit.record({
          teamId: prompt.teamId,
          action: 'PROMPT_VERSION_CREATED',
          outcome: 'SUCCEEDED',
          targetType: 'Prompt',
          targetId: prompt.id,
          details: {
            by: caller.principal.id,
            name: prompt.name,
            version: inserted.version.version,
          },
          requestId: caller.requestId,
        });
      }
      return inserted.version;
    },

    async setLabel(
      caller: PromptCaller,
      input: { promptId: string; name: string; version: number },
    ): Promise<PromptLabelRow> {
      const prompt = editable(
        caller.principal,
        await promptFor(caller, input.promptId),
        input.promptId,
      );
      if (!LABEL.test(input.name)) {
        throw badUserInput(
          'A label is 1 to 64 lower-case letters, digits, "-", "_" or ".", starting with a letter or digit.',
          { field: 'name' },
        );
      }
      const version = await caller.loaders.version.load({
        promptId: prompt.id,
        version: input.version,
      });
      if (!version) throw notFound('Prompt version', `${prompt.id}@${input.version}`);
      const { label, previousVersion } = await store.setLabel({
        promptId: prompt.id,
        label: input.name,
        version: input.version,
        movedBy: caller.principal.id,
      });
      caller.loaders.labels.clear(prompt.id);
      await audit.record({
        teamId: prompt.teamId,
        action: 'PROMPT_LABEL_MOVED',
        outcome: 'SUCCEEDED',
        targetType: 'Prompt',
        targetId: prompt.id,
        details: {
          by: caller.principal.id,
          name: prompt.name,
          label: input.name,
          from: previousVersion,
          to: input.version,
        },
        requestId: caller.requestId,
      });
      return label;
    },

    /** renderPrompt: the caller must be able to read the prompt. */
    async render(
      caller: PromptCaller,
      ref: PromptRef,
      variables: unknown,
    ): Promise<PromptRendering> {
      const prompt = readable(
        caller.principal,
        await promptFor(caller, ref.promptId),
        ref.promptId,
      );
      return renderVersion(await versionOf(caller, prompt, ref), variables, schemas);
    },

    /**
     * For inference's calls (internal route): a prompt of `teamId` only, the team the call is
     * charged to, which inference has already checked the caller may call models for. A prompt
     * of any other team does not exist for the call (NOT_FOUND).
     */
    async renderForTeam(
      caller: PromptCaller,
      teamId: string,
      ref: PromptRef,
      variables: unknown,
    ): Promise<PromptRendering> {
      const prompt = await promptFor(caller, ref.promptId);
      if (!prompt || prompt.teamId !== teamId) throw notFound('Prompt', ref.promptId);
      return renderVersion(await versionOf(caller, prompt, ref), variables, schemas);
    },

    versionsOf: (promptId: string, limit: number, before: number | null) =>
      store.versionsOf(promptId, limit, before),
    countOfTeam: (teamId: string) => store.countOfTeam(teamId),
    promptsOfTeam: (teamId: string, limit: number, after: string | null) =>
      store.promptsOfTeam(teamId, limit, after),
  };
}

export type Prompts = ReturnType<typeof createPrompts>;
