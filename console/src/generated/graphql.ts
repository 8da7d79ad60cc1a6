/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** Whether a rule grants or refuses. */
export type AccessEffect =
  /** Grants the matching models. */
  | 'ALLOW'
  /** Refuses the matching models, whatever else allows them. */
  | 'DENY';

/** What an access rule matches. */
export type AccessSubject =
  /** Every model (value empty). */
  | 'ANY'
  /** Every model with a capability, e.g. EMBEDDING. */
  | 'CAPABILITY'
  /** One model by id, e.g. openai/gpt-4o. */
  | 'MODEL'
  /** Every model of a provider, e.g. openai. */
  | 'PROVIDER'
  /** Every model with a tag, e.g. eu-hosted. */
  | 'TAG';

/** A person to add to a team. */
export type AddTeamMemberInput = {
  /** Their role. */
  role: TeamRole;
  /** The team. */
  teamId: string | number;
  /** The person's OIDC subject (the `sub` claim of their token). */
  userId: string | number;
};

/** How an audited action ended. */
export type AuditOutcome =
  /** It was refused. */
  | 'DENIED'
  /** It was tried and failed (a recharge the card declined, say). */
  | 'FAILED'
  /** It was done. */
  | 'SUCCEEDED';

/** Auto-recharge settings. */
export type AutoRechargeInput = {
  /** How much to charge each time, in the currency's minor unit, within the price limits. */
  amountMinor: number;
  /** On or off. */
  enabled: boolean;
  /** Recharge when the available balance falls below this many micro-credits (greater than zero). */
  thresholdCredits: string;
};

/** Where a team's auto-recharge is. */
export type AutoRechargeStatus =
  /** Turned off by the platform after too many failures in a row; turn it on again with `setAutoRecharge`. */
  | 'DISABLED'
  /** The last recharge failed; it is retried with backoff (`nextAttemptAt`). */
  | 'FAILING'
  /** On, but no payment method is saved yet (see `createAutoRechargeSetup`). */
  | 'NEEDS_PAYMENT_METHOD'
  /** Turned off. */
  | 'OFF'
  /** On and ready. */
  | 'READY'
  /** A recharge is being charged now. */
  | 'RECHARGING';

/** What a model can do. */
export type Capability =
  /** Chat completions from a list of messages. */
  | 'CHAT'
  /** Vector embeddings of text. */
  | 'EMBEDDING'
  /** Can be asked to answer in JSON. */
  | 'JSON_MODE'
  /** Streams its answer token by token. */
  | 'STREAMING'
  /** Can be held to a JSON Schema in its answer (structured output). */
  | 'STRUCTURED_OUTPUT'
  /** Calls tools (functions) the caller declares. */
  | 'TOOLS'
  /** Accepts images in messages. */
  | 'VISION';

/** Where the payment page sends the payer back to. */
export type CheckoutUrlsInput = {
  /** After giving up. Default: the platform's own page. */
  cancelUrl?: string | null | undefined;
  /** After paying (or saving a method). Default: the platform's own page. */
  successUrl?: string | null | undefined;
};

/** An API key to create. */
export type CreateApiKeyInput = {
  /** When it stops working; default never. Must be in the future. */
  expiresAt?: string | null | undefined;
  /** What the key is for; 1 to 100 characters. */
  name: string;
  /** What it may do, e.g. ["models:read", "inference:invoke"]; at least one. */
  scopes: Array<string>;
  /** The team the key acts for. */
  teamId: string | number;
};

/** A purchase of credits to start. */
export type CreateCheckoutInput = {
  /** How much to pay, in the currency's minor unit (cents for USD), within the price limits. Not with `packId`. */
  amountMinor?: number | null | undefined;
  /** Your unique key for this purchase, 1 to 200 characters. */
  idempotencyKey: string;
  /** A pack from `creditPrices.packs`. Not with `amountMinor`. */
  packId?: string | number | null | undefined;
  /** The team that buys (and whose wallet gets the credits). */
  teamId: string | number;
  /** Where the payment page sends the payer back to. */
  urls?: CheckoutUrlsInput | null | undefined;
};

/** How sensitive data is, from least to most: PUBLIC < INTERNAL < CONFIDENTIAL < RESTRICTED. */
export type DataClassification =
  /** For a need-to-know group; leaking it does real harm. */
  | 'CONFIDENTIAL'
  /** For people inside the organization. */
  | 'INTERNAL'
  /** May be published. */
  | 'PUBLIC'
  /** Regulated or secret data (card numbers, health records, keys). */
  | 'RESTRICTED';

/** Why generation stopped. */
export type FinishReason =
  /** Streams only: the caller left before the end; the text sent was charged. */
  | 'CANCELLED'
  /** The provider's content filter stopped it. */
  | 'CONTENT_FILTER'
  /** Streams only: the provider broke off mid-stream; the text sent was charged. */
  | 'INTERRUPTED'
  /** maxTokens was reached. */
  | 'LENGTH'
  /** Any other reason. */
  | 'OTHER'
  /** The model finished. */
  | 'STOP'
  /** The model stopped to let the caller run the tools it called. */
  | 'TOOL_CALLS';

/** What to generate. */
export type GenerateInput = {
  /** How sensitive the prompt is; default INTERNAL. Only models whose ceiling covers it are used. */
  dataClass?: DataClassification | null | undefined;
  /** Your key for safe retries (1 to 255 characters): a retried call returns the original generation and is never charged twice; a call that failed (and charged nothing) runs anew when retried. Kept for 24 hours. */
  idempotencyKey?: string | null | undefined;
  /** The most tokens to generate: at most the model's maxOutputTokens (BAD_USER_INPUT with `limit` above it; for a route, the largest of its models', and a fallback model with a lower limit generates up to its own); default 1,024 or the model's limit if lower. The hold is sized by it, and so is the time the call is given. */
  maxTokens?: number | null | undefined;
  /** The conversation so far, oldest first; at least one message. Send exactly one of `messages` and `prompt`. */
  messages?: Array<MessageInput> | null | undefined;
  /** A model id (`local/echo-chat`) or a route alias (`chat-default`), whose strategy picks the model. Required with `messages`; with `prompt`, the prompt version's default model is used when omitted. */
  model?: string | number | null | undefined;
  /** A team prompt to render and send instead of `messages` (exactly one of the two): its version's messages filled with `prompt.variables`, and its default model, temperature, maxTokens, tools and response format wherever this input leaves them out. The prompt must belong to the team charged (NOT_FOUND otherwise); variables that fail its schema are refused with BAD_USER_INPUT and `extensions.path`. `renderPrompt` previews exactly what is sent. The generation and its usage record carry the prompt's id and version. */
  prompt?: GeneratePromptInput | null | undefined;
  /** The shape of the answer: JSON_OBJECT needs the JSON_MODE capability, JSON_SCHEMA the STRUCTURED_OUTPUT capability (BAD_USER_INPUT otherwise). */
  responseFormat?: ResponseFormatInput | null | undefined;
  /** The team to charge; needed unless exactly one of your teams lets you call models (an organization admin names any team). */
  teamId?: string | number | null | undefined;
  /** Sampling temperature, 0 to 2; the provider's default when omitted. At 0 the call is deterministic: identical calls share one provider call and the response cache answers repeats. */
  temperature?: number | null | undefined;
  /** Whether and which tool the model must call; default AUTO when tools are given. */
  toolChoice?: ToolChoiceInput | null | undefined;
  /** Tools (functions) the model may call; needs a model with the TOOLS capability (BAD_USER_INPUT otherwise). At most 128. */
  tools?: Array<ToolInput> | null | undefined;
};

/** A prompt reference: which team prompt, which version of it (exactly one of `version` and `label`), and the values of its variables. */
export type GeneratePromptInput = {
  /** A label (`production`, `staging`, ...): the version it points at when the call is made. */
  label?: string | null | undefined;
  /** The prompt's id (orchestration's `Prompt.id`). */
  promptId: string | number;
  /** The values of the version's variables, as a JSON object checked against its schema. */
  variables?: unknown;
  /** A version number. */
  version?: number | null | undefined;
};

/** A model's recent status. */
export type HealthStatus =
  /** 10% to 50% of recent calls failed. */
  | 'DEGRADED'
  /** Half or more of recent calls failed. */
  | 'DOWN'
  /** Under 10% of recent calls failed. */
  | 'HEALTHY'
  /** No recent calls to judge by. */
  | 'UNKNOWN';

/** What a hold is for. */
export type HoldPurpose =
  /** One model call (the default). */
  | 'CALL'
  /** Credits whose payment is disputed (the billing service's): never usage, voided or taken by a debit. */
  | 'DISPUTE'
  /** One flow run's budget (orchestration's `maxCost`): each model step of the run is spent from it as it completes, and what is left is voided when the run ends. */
  | 'FLOW_RUN'
  /** A credit lease: many calls' worth, charged call by call. */
  | 'LEASE';

/** A JSON Schema the answer must match. */
export type JsonSchemaFormatInput = {
  /** What the format is for, for the model. */
  description?: string | null | undefined;
  /** The format's name: letters, digits, `_` and `-`, at most 64. */
  name: string;
  /** The JSON Schema. */
  schema: unknown;
  /** Ask the provider to follow the schema exactly (OpenAI structured outputs). */
  strict?: boolean | null | undefined;
};

/** Where a model stands in its life. */
export type LifecycleStatus =
  /** Generally available. */
  | 'ACTIVE'
  /** Still callable, but scheduled to go: see `sunsetAt` and `replacement`. */
  | 'DEPRECATED'
  /** Callable, but may change or go away without notice. */
  | 'PREVIEW'
  /** No longer callable: its sunset has passed. */
  | 'RETIRED';

/** One message of a conversation. */
export type MessageInput = {
  /** What was said (at most 1,000,000 characters over all messages); may be omitted on an ASSISTANT message that only called tools. */
  content?: string | null | undefined;
  /** Who said it. */
  role: MessageRole;
  /** A TOOL message: the id of the tool call it answers. */
  toolCallId?: string | null | undefined;
  /** An ASSISTANT message's tool calls, as an earlier Generation returned them. */
  toolCalls?: Array<ToolCallInput> | null | undefined;
};

/** Who said a message. */
export type MessageRole =
  /** The model, in an earlier turn. */
  | 'ASSISTANT'
  /** Instructions for the model. */
  | 'SYSTEM'
  /** The result of a tool call (with `toolCallId`). */
  | 'TOOL'
  /** The person or app calling. */
  | 'USER';

/** An access rule to add. */
export type ModelAccessInput = {
  /** Grant or refuse. */
  effect: AccessEffect;
  /** What it matches. */
  subject: AccessSubject;
  /** The team; omit for a rule that applies to every team. */
  teamId?: string | number | null | undefined;
  /** The model id, provider id, capability or tag; omit for ANY. */
  value?: string | null | undefined;
};

/** Conditions on models; a model must meet all of them. */
export type ModelFilter = {
  /** Models having every one of these capabilities. */
  capabilities?: Array<Capability> | null | undefined;
  /** Models in any of these statuses. */
  lifecycle?: Array<LifecycleStatus> | null | undefined;
  /** Models whose context window is at least this many tokens. */
  minContextWindow?: number | null | undefined;
  /** Models served by any of these providers. */
  providers?: Array<string | number> | null | undefined;
  /** Models having every one of these tags. */
  tags?: Array<string> | null | undefined;
};

/** How the caller authenticated. */
export type PrincipalKind =
  /** An API key (or the bootstrap admin key). */
  | 'API_KEY'
  /** One of the platform's own services. */
  | 'SERVICE'
  /** A person, with an OIDC token. */
  | 'USER';

/** Rate limits to set; omitted or null means unlimited. */
export type QuotaInput = {
  /** Requests per minute for each API key. */
  keyRequestsPerMinute?: number | null | undefined;
  /** Tokens per minute for each API key. */
  keyTokensPerMinute?: number | null | undefined;
  /** Streams the team may have open at once; one more is refused with RATE_LIMITED (quotaField maxConcurrentStreams). */
  maxConcurrentStreams?: number | null | undefined;
  /** Requests per minute for the whole team. */
  requestsPerMinute?: number | null | undefined;
  /** Tokens per rolling 24 hours for the whole team. */
  tokensPerDay?: number | null | undefined;
  /** Tokens per minute for the whole team. */
  tokensPerMinute?: number | null | undefined;
};

/** The shape the answer must take. */
export type ResponseFormatInput = {
  /** With JSON_SCHEMA: the schema the answer must match. */
  jsonSchema?: JsonSchemaFormatInput | null | undefined;
  /** TEXT (default), JSON_OBJECT (any JSON object) or JSON_SCHEMA (JSON matching `jsonSchema`). */
  type: ResponseFormatType;
};

/** The kinds of answer format. */
export type ResponseFormatType =
  /** Any JSON object. */
  | 'JSON_OBJECT'
  /** JSON matching a given schema. */
  | 'JSON_SCHEMA'
  /** Free text. */
  | 'TEXT';

/** A role in a team. Each role holds a fixed set of scopes. */
export type TeamRole =
  /** Manages the team's keys, members and budget: models:read, wallet:read, inference:invoke, wallet:admin, policy:admin. */
  | 'ADMIN'
  /** Uses models: models:read, wallet:read, inference:invoke. */
  | 'MEMBER'
  /** Everything an ADMIN may do; the team's owner. */
  | 'OWNER'
  /** Reads only: models:read, wallet:read. */
  | 'VIEWER';

/** A tool call an earlier ASSISTANT message made. */
export type ToolCallInput = {
  /** The arguments as JSON text. */
  arguments: string;
  /** The call's id. */
  id: string;
  /** The tool's name. */
  name: string;
};

/** Whether and which tool the model must call. */
export type ToolChoiceInput = {
  /** AUTO: the model decides; NONE: no tool; REQUIRED: at least one tool; FUNCTION: the tool named `name`. */
  mode: ToolChoiceMode;
  /** The tool to call, with mode FUNCTION. */
  name?: string | null | undefined;
};

/** Whether the model must call a tool. */
export type ToolChoiceMode =
  /** The model decides. */
  | 'AUTO'
  /** The model calls the tool named in `name`. */
  | 'FUNCTION'
  /** The model answers in text only. */
  | 'NONE'
  /** The model calls at least one tool. */
  | 'REQUIRED';

/** A tool (function) the model may call. */
export type ToolInput = {
  /** What it does, for the model. */
  description?: string | null | undefined;
  /** The function's name: letters, digits, `_` and `-`, at most 64. */
  name: string;
  /** Its arguments as a JSON Schema object. */
  parameters?: unknown;
  /** Ask the provider to keep the arguments to `parameters` exactly (where it supports it). */
  strict?: boolean | null | undefined;
};

/** The kinds of ledger entry. */
export type TransactionKind =
  /** A hold charged (part of it, the rest released). */
  | 'CAPTURE'
  /** Credits taken back out (a purchase refunded, a dispute lost): what the balance covered; the rest follows as OWED naming this entry. */
  | 'DEBIT'
  /** What a call cost beyond its hold, taken from the available balance. */
  | 'EXCESS'
  /** A hold released because it expired. */
  | 'EXPIRE'
  /** Credits added (a purchase, or an admin's grant). */
  | 'GRANT'
  /** Credits reserved for a call. */
  | 'HOLD'
  /** What a call cost beyond its hold, or a debit took beyond the balance, that the balance could not cover: owed by the wallet. */
  | 'OWED'
  /** A captured charge given back. */
  | 'REFUND'
  /** Owed credits paid from credits that arrived (relatedId: the grant or refund). */
  | 'REPAY'
  /** Part of a hold charged, the hold staying open (one call of a credit lease); what the hold could not cover follows as EXCESS and OWED naming this entry. */
  | 'SPEND'
  /** A hold released without charge. */
  | 'VOID';

/** A dimension usage series can be split by. */
export type UsageDimension =
  /** The API key the call was made with (none for calls made by people). */
  | 'API_KEY'
  /** The model that answered (the route the caller named, when none did). */
  | 'MODEL'
  /** How the call ended. */
  | 'OUTCOME'
  /** The person (principal) that made the call (none for calls made with API keys). */
  | 'USER';

/** The size of a usage report's points. */
export type UsageGranularity =
  /** One point per UTC day. */
  | 'DAY'
  /** One point per hour. */
  | 'HOUR';

export type TeamApiKeysQueryVariables = Exact<{
  teamId: string | number;
}>;


export type TeamApiKeysQuery = { team: { id: string, apiKeys: Array<{ id: string, name: string, prefix: string, scopes: Array<string>, createdAt: string, expiresAt: string | null, revokedAt: string | null, lastUsedAt: string | null }> } | null };

export type CreateConsoleApiKeyMutationVariables = Exact<{
  input: CreateApiKeyInput;
}>;


export type CreateConsoleApiKeyMutation = { createApiKey: { secret: string, apiKey: { id: string, name: string, prefix: string } } };

export type RevokeConsoleApiKeyMutationVariables = Exact<{
  id: string | number;
}>;


export type RevokeConsoleApiKeyMutation = { revokeApiKey: { id: string, revokedAt: string | null } };

export type ConsoleAuditLogQueryVariables = Exact<{
  teamId?: string | number | null | undefined;
  after?: string | null | undefined;
}>;


export type ConsoleAuditLogQuery = { auditLog: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, action: string, actor: string, outcome: AuditOutcome, targetType: string | null, targetId: string | null, createdAt: string } }> } };

export type ConsoleCreditPricesQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleCreditPricesQuery = { creditPrices: { currency: string, minorUnitDigits: number, creditsPerMinorUnit: string, minimumAmountMinor: number, maximumAmountMinor: number, testMode: boolean, packs: Array<{ id: string, name: string, amountMinor: number, credits: string }> } };

export type StartConsoleCheckoutMutationVariables = Exact<{
  input: CreateCheckoutInput;
}>;


export type StartConsoleCheckoutMutation = { createCheckout: { id: string, url: string, testMode: boolean, purchase: { id: string } | null } };

export type TeamAutoRechargeQueryVariables = Exact<{
  teamId: string | number;
}>;


export type TeamAutoRechargeQuery = { team: { id: string, autoRecharge: { enabled: boolean, status: AutoRechargeStatus, thresholdCredits: string, amountMinor: number, credits: string, hasPaymentMethod: boolean, lastError: string | null } | null } | null };

export type SaveAutoRechargeMutationVariables = Exact<{
  teamId: string | number;
  input: AutoRechargeInput;
}>;


export type SaveAutoRechargeMutation = { setAutoRecharge: { enabled: boolean, status: AutoRechargeStatus, thresholdCredits: string, amountMinor: number, credits: string, hasPaymentMethod: boolean, lastError: string | null } };

export type StartAutoRechargeSetupMutationVariables = Exact<{
  teamId: string | number;
  urls?: CheckoutUrlsInput | null | undefined;
}>;


export type StartAutoRechargeSetupMutation = { createAutoRechargeSetup: { id: string, url: string } };

export type CatalogModelsQueryVariables = Exact<{
  filter?: ModelFilter | null | undefined;
  teamId?: string | number | null | undefined;
}>;


export type CatalogModelsQuery = { models: { totalCount: number, edges: Array<{ node: { id: string, displayName: string, description: string, capabilities: Array<Capability>, contextWindow: number, maxOutputTokens: number | null, tags: Array<string>, provider: { id: string, displayName: string }, pricing: { version: number, inputPerMillion: string, outputPerMillion: string }, lifecycle: { status: LifecycleStatus }, health: { status: HealthStatus, p50LatencyMs: number | null, errorRate: number | null }, access: { allowed: boolean, reason: string | null } } }> } };

export type PlaygroundStreamSubscriptionVariables = Exact<{
  input: GenerateInput;
}>;


export type PlaygroundStreamSubscription = { generateStream:
    | { __typename: 'GenerationCompleted', generation: { id: string, finishReason: FinishReason, cost: string, usage: { inputTokens: number, outputTokens: number } } }
    | { __typename: 'GenerationDelta', text: string, outputTokens: number }
    | { __typename: 'GenerationFailed', code: string, message: string, generation: { id: string, cost: string, usage: { inputTokens: number, outputTokens: number } } }
   };

export type ConsoleViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleViewerQuery = { viewer: { id: string, kind: PrincipalKind, roles: Array<string>, memberships: Array<{ role: TeamRole | null, scopes: Array<string>, team: { id: string, name: string } }> } };

export type OrgTeamsQueryVariables = Exact<{ [key: string]: never; }>;


export type OrgTeamsQuery = { teams: Array<{ id: string, name: string, createdAt: string, members: Array<{ userId: string, role: TeamRole }>, quota: { requestsPerMinute: number | null, tokensPerMinute: number | null, tokensPerDay: number | null, keyRequestsPerMinute: number | null, keyTokensPerMinute: number | null, maxConcurrentStreams: number | null }, accessRules: Array<{ id: string, effect: AccessEffect, subject: AccessSubject, value: string }> }> };

export type OrgTeamNamesQueryVariables = Exact<{ [key: string]: never; }>;


export type OrgTeamNamesQuery = { teams: Array<{ id: string, name: string }> };

export type ConsoleCreateTeamMutationVariables = Exact<{
  name: string;
}>;


export type ConsoleCreateTeamMutation = { createTeam: { id: string, name: string } };

export type ConsoleSetQuotaMutationVariables = Exact<{
  teamId: string | number;
  input: QuotaInput;
}>;


export type ConsoleSetQuotaMutation = { setQuota: { id: string } };

export type ConsoleSetModelAccessMutationVariables = Exact<{
  input: ModelAccessInput;
}>;


export type ConsoleSetModelAccessMutation = { setModelAccess: { id: string } };

export type ConsoleRemoveModelAccessMutationVariables = Exact<{
  id: string | number;
}>;


export type ConsoleRemoveModelAccessMutation = { removeModelAccess: { id: string } };

export type ConsoleAddTeamMemberMutationVariables = Exact<{
  input: AddTeamMemberInput;
}>;


export type ConsoleAddTeamMemberMutation = { addTeamMember: { userId: string, role: TeamRole } };

export type ConsoleRemoveTeamMemberMutationVariables = Exact<{
  teamId: string | number;
  userId: string | number;
}>;


export type ConsoleRemoveTeamMemberMutation = { removeTeamMember: { userId: string } };

export type ConsoleUsageQueryVariables = Exact<{
  teamId?: string | number | null | undefined;
  from: string;
  to: string;
  granularity: UsageGranularity;
  groupBy: Array<UsageDimension> | UsageDimension;
}>;


export type ConsoleUsageQuery = { usage: { totals: { requests: number, inputTokens: number, outputTokens: number, cost: string, latencyMs: { p50: number, p95: number } | null }, series: Array<{ group: { modelId: string | null, apiKeyId: string | null }, points: Array<{ start: string, stats: { requests: number, inputTokens: number, outputTokens: number, cost: string, latencyMs: { p50: number, p95: number } | null } }> }> } };

export type TeamWalletQueryVariables = Exact<{
  teamId: string | number;
}>;


export type TeamWalletQuery = { team: { id: string, wallet: { id: string, suspended: boolean, suspendedReason: string | null, lowBalanceThreshold: string | null, balance: { available: string, held: string, posted: string, owed: string }, budget: { monthlyLimit: string, monthToDateSpend: string, held: string, remaining: string, alertThresholds: Array<number>, alertsReached: Array<number> } | null, holds: Array<{ id: string, amount: string, spentAmount: string, purpose: HoldPurpose, createdAt: string, expiresAt: string }>, transactions: { totalCount: number, edges: Array<{ node: { id: string, kind: TransactionKind, amount: string, postedChange: string, purchaseId: string | null, memo: string | null, createdAt: string } }> } } } | null };


export const TeamApiKeysDocument = {"__meta__":{"hash":"sha256:1cad08de61adf856fbbff5ef5d0aad5004b682b90a1c54c5075a192475fe6501"}} as unknown as DocumentNode<TeamApiKeysQuery, TeamApiKeysQueryVariables>;
export const CreateConsoleApiKeyDocument = {"__meta__":{"hash":"sha256:d2a15ba3f88b41f1ed811e9d8fd4e5284f19fb83b177e8d90671f09751e1fe40"}} as unknown as DocumentNode<CreateConsoleApiKeyMutation, CreateConsoleApiKeyMutationVariables>;
export const RevokeConsoleApiKeyDocument = {"__meta__":{"hash":"sha256:c99a1f5a42b0f16d7f2d98e43a1de0108a4c37992f531dcd21b156afa5103dd3"}} as unknown as DocumentNode<RevokeConsoleApiKeyMutation, RevokeConsoleApiKeyMutationVariables>;
export const ConsoleAuditLogDocument = {"__meta__":{"hash":"sha256:b407ceb23ef173c10e3039ca923d842dc68a2004657101d671acd34ec877d03a"}} as unknown as DocumentNode<ConsoleAuditLogQuery, ConsoleAuditLogQueryVariables>;
export const ConsoleCreditPricesDocument = {"__meta__":{"hash":"sha256:b9eea66bbcb1d14768f29f945bb1e9e3a79a8abfe27f4d40454c7aa9cf2de525"}} as unknown as DocumentNode<ConsoleCreditPricesQuery, ConsoleCreditPricesQueryVariables>;
export const StartConsoleCheckoutDocument = {"__meta__":{"hash":"sha256:eeb1fface3ff6710975cd9ad477a562ab71cd3716e4476bf1281c5a984f30ffd"}} as unknown as DocumentNode<StartConsoleCheckoutMutation, StartConsoleCheckoutMutationVariables>;
export const TeamAutoRechargeDocument = {"__meta__":{"hash":"sha256:f7fd81b345f43a201052889190c3c33f6360057e4463ed2f6c64d058410b8e03"}} as unknown as DocumentNode<TeamAutoRechargeQuery, TeamAutoRechargeQueryVariables>;
export const SaveAutoRechargeDocument = {"__meta__":{"hash":"sha256:c66092849623624a2f6a42fec4ed19c99caa90b6aaa66f5c0425db90c1724a50"}} as unknown as DocumentNode<SaveAutoRechargeMutation, SaveAutoRechargeMutationVariables>;
export const StartAutoRechargeSetupDocument = {"__meta__":{"hash":"sha256:b98a6a3774b4e6aea5cee3a6b919bb93a3dd61469de386b0e10c15bac9d960e0"}} as unknown as DocumentNode<StartAutoRechargeSetupMutation, StartAutoRechargeSetupMutationVariables>;
export const CatalogModelsDocument = {"__meta__":{"hash":"sha256:3e2e7882ba248ece223bee66ea4ac7d4c2321b8b4988e60869f1ddb0269af499"}} as unknown as DocumentNode<CatalogModelsQuery, CatalogModelsQueryVariables>;
export const PlaygroundStreamDocument = {"__meta__":{"hash":"sha256:287ac294b366f949e81334739704596ac352346ec679f44b1285ae55c49dbff3"}} as unknown as DocumentNode<PlaygroundStreamSubscription, PlaygroundStreamSubscriptionVariables>;
export const ConsoleViewerDocument = {"__meta__":{"hash":"sha256:1d10854e1447b7ddea1b1ac690f87a388b10c3ae8823cfa4586a501cdf646871"}} as unknown as DocumentNode<ConsoleViewerQuery, ConsoleViewerQueryVariables>;
export const OrgTeamsDocument = {"__meta__":{"hash":"sha256:73be583c04b81113a654f6d2de56eda2b8610bda833a58ef3a91daa4aefca095"}} as unknown as DocumentNode<OrgTeamsQuery, OrgTeamsQueryVariables>;
export const OrgTeamNamesDocument = {"__meta__":{"hash":"sha256:b541725bdc7736d462cacbbc9be473aa23f6dd25e9785a40e13e125bc2b163cb"}} as unknown as DocumentNode<OrgTeamNamesQuery, OrgTeamNamesQueryVariables>;
export const ConsoleCreateTeamDocument = {"__meta__":{"hash":"sha256:a9e0bfefdce07ca4630fd28e1fbcc1fa0223b5f30b6019562dbb3746fc145f06"}} as unknown as DocumentNode<ConsoleCreateTeamMutation, ConsoleCreateTeamMutationVariables>;
export const ConsoleSetQuotaDocument = {"__meta__":{"hash":"sha256:a4551aab79e284ffacbc0f849e29564c8dbf90ea289dbdd637e5267ee40fce92"}} as unknown as DocumentNode<ConsoleSetQuotaMutation, ConsoleSetQuotaMutationVariables>;
export const ConsoleSetModelAccessDocument = {"__meta__":{"hash":"sha256:8168bb7d946916480e1acad7ef8412a33cb430ddb784fe86fef12559ab7aef44"}} as unknown as DocumentNode<ConsoleSetModelAccessMutation, ConsoleSetModelAccessMutationVariables>;
export const ConsoleRemoveModelAccessDocument = {"__meta__":{"hash":"sha256:d3a4f9f658452eb4d4febf7d3b6c638478aae74518bfa11363a4132ebb3886b7"}} as unknown as DocumentNode<ConsoleRemoveModelAccessMutation, ConsoleRemoveModelAccessMutationVariables>;
export const ConsoleAddTeamMemberDocument = {"__meta__":{"hash":"sha256:ddd2e75f2f93326de55cfd5f60d4065446fd8538787c21e68f7d18fcaa3b7b68"}} as unknown as DocumentNode<ConsoleAddTeamMemberMutation, ConsoleAddTeamMemberMutationVariables>;
export const ConsoleRemoveTeamMemberDocument = {"__meta__":{"hash":"sha256:005ad201ab8dab65bb841005963ae0e1d369c62e16f2e792bfdf32fe36765168"}} as unknown as DocumentNode<ConsoleRemoveTeamMemberMutation, ConsoleRemoveTeamMemberMutationVariables>;
export const ConsoleUsageDocument = {"__meta__":{"hash":"sha256:0480fe981dc37c9d54e02dc10750bc0dd61319d54b23870232523a43dbb3bb3f"}} as unknown as DocumentNode<ConsoleUsageQuery, ConsoleUsageQueryVariables>;
export const TeamWalletDocument = {"__meta__":{"hash":"sha256:eb725e1755fe93c700740baedd0536132c6d5918debc8cf16ed1f1433c954608"}} as unknown as DocumentNode<TeamWalletQuery, TeamWalletQueryVariables>;