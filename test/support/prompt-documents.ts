import { typed } from './typed-document.js';

export interface PromptMessage {
  role: string;
  content: string;
}

export interface Rendered {
  promptId: string;
  version: number;
  messages: PromptMessage[];
  model: string | null;
  parameters: { temperature: number | null; maxTokens: number | null };
}

export const CREATE_PROMPT = typed<
  { createPrompt: { id: string; teamId: string; name: string } },
  { input: { teamId: string; name: string; description?: string } }
>(`mutation($input: CreatePromptInput!) { createPrompt(input: $input) { id teamId name } }`);

export const CREATE_VERSION = typed<
  { createPromptVersion: { number: number; messages: PromptMessage[]; createdBy: string } },
  { input: Record<string, unknown> }
>(`mutation($input: CreatePromptVersionInput!) {
  createPromptVersion(input: $input) { number messages { role content } createdBy } }`);

export const SET_LABEL = typed<
  { setPromptLabel: { name: string; version: number; promptVersion: { number: number } } },
  { input: { promptId: string; name: string; version: number } }
>(`mutation($input: SetPromptLabelInput!) {
  setPromptLabel(input: $input) { name version promptVersion { number } } }`);

export const PROMPT = typed<
  {
    prompt: {
      id: string;
      versions: { totalCount: number; edges: Array<{ node: { number: number } }> };
      version: { number: number; messages: PromptMessage[] } | null;
      latest: { number: number } | null;
      labels: Array<{ name: string; version: number }>;
    } | null;
  },
  { id: string }
>(`query($id: ID!) { prompt(id: $id) {
  id versions { totalCount edges { node { number } } }
  version(number: 1) { number messages { role content } }
  latest { number } labels { name version } } }`);

export const PROMPTS = typed<
  { prompts: { totalCount: number; edges: Array<{ node: { name: string } }> } },
  { teamId: string }
>(`query($teamId: ID!) { prompts(teamId: $teamId) { totalCount edges { node { name } } } }`);

export const RENDER = typed<
  { renderPrompt: Rendered },
  { ref: { promptId: string; version?: number; label?: string }; variables?: unknown }
>(`query($ref: PromptRefInput!, $variables: JSON) { renderPrompt(ref: $ref, variables: $variables) {
  promptId version messages { role content } model parameters { temperature maxTokens } } }`);

export const GENERATE_WITH_PROMPT = typed<
  {
    generate: {
      id: string;
      text: string;
      route: string;
      prompt: { promptId: string; version: number } | null;
    };
  },
  { input: Record<string, unknown> }
>(`mutation($input: GenerateInput!) { generate(input: $input) {
  id text route prompt { promptId version } } }`);

export const PROMPT_AUDIT = typed<
  {
    auditLog: {
      edges: Array<{ node: { action: string; actor: string; targetId: string; details: string } }>;
    };
  },
  { team: string }
>(`query($team: ID!) {
  auditLog(teamId: $team, filter: { actions: ["PROMPT_VERSION_CREATED", "PROMPT_LABEL_MOVED"] }) {
    edges { node { action actor targetId details } } } }`);
