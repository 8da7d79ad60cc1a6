import { DEFAULT_DATA_CLASS } from '../../../lib/policy/data-classes.js';
import { hasScope, type Principal } from '../../../lib/auth/principal.js';
import { badUserInput, forbidden } from '../../../lib/errors.js';
import { assertUuid } from '../../../lib/ids.js';
import type { GenerateInput, MessageInput } from '../generated/resolvers-types.js';
import type { ChatMessage } from '../providers/types.js';
import type { GenerateRequest } from '../service/saga/generate.js';
import { checkMessage, checkResponseFormat, checkToolChoice, checkTools } from './tool-inputs.js';

const MAX_TOKENS_LIMIT = 100_000;
const MAX_MESSAGES = 1000;
const MAX_PROMPT_CHARS = 1_000_000;
const MAX_TEXTS = 2048;
const MAX_TEXT_CHARS = 100_000;

/**
 * The team a call is charged to: the one named (the caller must hold inference:invoke there), or
 * the caller's only team with inference:invoke.
 */
export function teamForCall(principal: Principal, teamId: string | null | undefined): string {
  if (teamId != null) {
    assertUuid(teamId, 'teamId');
    if (!hasScope(principal, 'inference:invoke', teamId)) {
      throw forbidden('You may not call models for this team.');
    }
    return teamId;
  }
  const teams = principal.teams.filter((t) => t.scopes.includes('inference:invoke'));
  if (teams.length === 1) return teams[0]!.id;
  const teamIds = teams.map((t) => t.id);
  throw badUserInput(whyNameATeam(principal, teamIds), { field: 'teamId', teamIds });
}

/** Why a call without teamId cannot pick its team, as it is for this principal. */
function whyNameATeam(principal: Principal, invoking: string[]): string {
  if (invoking.length > 1) {
    return `Name the team to charge with teamId: you may call models in ${invoking.length} teams (${invoking.join(', ')}).`;
  }
  // No team of its own lets it call models; org-wide rights (an organization admin) may name any.
  const mayNameAny = hasScope(principal, 'inference:invoke');
  const none =
    principal.teams.length === 0
      ? 'You belong to no team'
      : 'None of your teams lets you call models (inference:invoke)';
  return mayNameAny
    ? `${none}: name the team to charge with teamId (your organization-wide rights let you charge any team).`
    : `${none}, so no team can be charged for this call.`;
}

/**
 * A `GenerateInput` (of `generate` or `generateStream`), its prompt rendered (prompt-input.ts),
 * checked as the saga takes it.
 */
export function generateRequestOf(input: GenerateInput): GenerateRequest {
  if (!input.model) throw badUserInput('Name the model to call.', { field: 'model' });
  const tools = checkTools(input.tools);
  const toolChoice = checkToolChoice(input.toolChoice, tools);
  const responseFormat = checkResponseFormat(input.responseFormat);
  return {
    model: input.model,
    messages: checkMessages(input.messages ?? []),
    maxTokens: checkMaxTokens(input.maxTokens),
    temperature: checkTemperature(input.temperature),
    dataClass: dataClassOf(input.dataClass),
    idempotencyKey: checkIdempotencyKey(input.idempotencyKey),
    // Left out when not asked for, so the fingerprint of a call without them stays as it was.
    ...(tools ? { tools } : {}),
    ...(toolChoice ? { toolChoice } : {}),
    ...(responseFormat ? { responseFormat } : {}),
  };
}

export function dataClassOf(value: string | null | undefined): string {
  return value ?? DEFAULT_DATA_CLASS;
}

/**
 * The conversation, checked message by message (tool-call rules in tool-inputs.ts); the tool
 * calls' arguments count towards the characters, as they are prompt too.
 */
export function checkMessages(messages: readonly MessageInput[]): ChatMessage[] {
  if (messages.length === 0 || messages.length > MAX_MESSAGES) {
    throw badUserInput(`Send 1 to ${MAX_MESSAGES} messages.`, { field: 'messages' });
  }
  const chars = messages.reduce(
    (sum, m) =>
      sum +
      (m.content ?? '').length +
      (m.toolCalls ?? []).reduce((n, c) => n + c.arguments.length, 0),
    0,
  );
  if (chars > MAX_PROMPT_CHARS) {
    throw badUserInput(`The messages exceed ${MAX_PROMPT_CHARS} characters.`, {
      field: 'messages',
    });
  }
  const callIds = new Set<string>();
  return messages.map((m, i) => {
    const checked = checkMessage(m, i, callIds);
    for (const call of checked.toolCalls ?? []) callIds.add(call.id);
    return checked;
  });
}

/** maxTokens as given (undefined: the default); the models' own limits are checked later. */
export function checkMaxTokens(value: number | null | undefined): number | undefined {
  if (value == null) return undefined;
  if (!Number.isInteger(value) || value < 1 || value > MAX_TOKENS_LIMIT) {
    throw badUserInput(`maxTokens must be 1 to ${MAX_TOKENS_LIMIT}.`, { field: 'maxTokens' });
  }
  return value;
}

export function checkTemperature(value: number | null | undefined): number | undefined {
  if (value == null) return undefined;
  if (!(value >= 0 && value <= 2)) {
    throw badUserInput('temperature must be 0 to 2.', { field: 'temperature' });
  }
  return value;
}

export function checkIdempotencyKey(value: string | null | undefined): string | undefined {
  if (value == null) return undefined;
  if (value.length < 1 || value.length > 255) {
    throw badUserInput('idempotencyKey must be 1 to 255 characters.', {
      field: 'idempotencyKey',
    });
  }
  return value;
}

export function checkTexts(texts: string[]): string[] {
  if (texts.length === 0 || texts.length > MAX_TEXTS) {
    throw badUserInput(`Send 1 to ${MAX_TEXTS} texts.`, { field: 'texts' });
  }
  if (texts.some((t) => t.length === 0 || t.length > MAX_TEXT_CHARS)) {
    throw badUserInput(`Each text must be 1 to ${MAX_TEXT_CHARS} characters.`, { field: 'texts' });
  }
  return texts;
}
