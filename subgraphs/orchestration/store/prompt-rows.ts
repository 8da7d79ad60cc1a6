/** A prompt as the `prompts` table keeps it. */
export interface PromptRow {
  id: string;
  teamId: string;
  name: string;
  description: string | null;
  /** The highest version number (0 before the first version). */
  latestVersion: number;
  createdBy: string;
  createdAt: Date;
}

export type PromptRole = 'SYSTEM' | 'USER' | 'ASSISTANT';

/** One message of a version: its content is a template (service/prompt-template.ts). */
export interface PromptMessage {
  role: PromptRole;
  content: string;
}

/** Sampling settings a version gives its calls; a call's own values override them. */
export interface PromptParameters {
  temperature?: number;
  maxTokens?: number;
}

/** The content of a version (everything but its number and authorship). */
export interface PromptVersionContent {
  messages: PromptMessage[];
  /** The variables' JSON Schema. */
  variables: Record<string, unknown>;
  defaultModel: string | null;
  parameters: PromptParameters;
  /** Tools, in inference's ToolInput shape. */
  tools: unknown[] | null;
  /** In inference's ResponseFormatInput shape. */
  responseFormat: Record<string, unknown> | null;
}

/** An immutable, numbered version of a prompt. */
export interface PromptVersionRow extends PromptVersionContent {
  promptId: string;
  version: number;
  createdBy: string;
  createdAt: Date;
}

/** A label and the version it points at now. */
export interface PromptLabelRow {
  promptId: string;
  label: string;
  version: number;
  movedBy: string;
  movedAt: Date;
}

export interface PromptDbRow {
  id: string;
  team_id: string;
  name: string;
  description: string | null;
  latest_version: number;
  created_by: string;
  created_at: Date;
}

export interface VersionDbRow {
  prompt_id: string;
  version: number;
  messages: PromptMessage[];
  variables: Record<string, unknown>;
  default_model: string | null;
  parameters: PromptParameters;
  tools: unknown[] | null;
  response_format: Record<string, unknown> | null;
  content_hash: string;
  created_by: string;
  created_at: Date;
}

export interface LabelDbRow {
  prompt_id: string;
  label: string;
  version: number;
  moved_by: string;
  moved_at: Date;
}

export const promptOf = (r: PromptDbRow): PromptRow => ({
  id: r.id,
  teamId: r.team_id,
  name: r.name,
  description: r.description,
  latestVersion: Number(r.latest_version),
  createdBy: r.created_by,
  createdAt: new Date(r.created_at),
});

export const versionOf = (r: VersionDbRow): PromptVersionRow => ({
  promptId: r.prompt_id,
  version: Number(r.version),
  messages: r.messages,
  variables: r.variables,
  defaultModel: r.default_model,
  parameters: r.parameters,
  tools: r.tools,
  responseFormat: r.response_format,
  createdBy: r.created_by,
  createdAt: new Date(r.created_at),
});

export const labelOf = (r: LabelDbRow): PromptLabelRow => ({
  promptId: r.prompt_id,
  label: r.label,
  version: Number(r.version),
  movedBy: r.moved_by,
  movedAt: new Date(r.moved_at),
});
