import type { Principal } from '../../../lib/auth/principal.js';
import type { ServiceClient } from '../../../lib/service-client.js';

/**
 * Who a model call made by orchestration is for: the caller it acts for (a flow run's creator,
 * a collection's ingester), the team charged, and the request it serves. Inference polices and
 * charges that caller exactly as a direct call of theirs (delegated token, decision 100).
 */
export interface ModelCaller {
  principal: Principal;
  teamId: string;
  requestId: string;
}

export type DataClass = 'PUBLIC' | 'INTERNAL' | 'CONFIDENTIAL' | 'RESTRICTED';

export interface GenerateRequest {
  model?: string;
  messages?: Array<{ role: 'SYSTEM' | 'USER' | 'ASSISTANT'; content: string }>;
  prompt?: {
    promptId: string;
    version?: number;
    label?: string;
    variables?: Record<string, unknown>;
  };
  maxTokens?: number;
  temperature?: number;
  dataClass?: DataClass;
  idempotencyKey?: string;
  flowStep?: FlowStepPayment;
}

export interface EmbedRequest {
  model: string;
  texts: string[];
  dataClass?: DataClass;
  flowStep?: FlowStepPayment;
}

/**
 * A flow step's payment (inference's `@inaccessible` `flowStep` input, which the gateway never
 * exposes): the call is paid from the run's hold (purpose FLOW_RUN, the team's) instead of a hold
 * of its own, by a spend keyed by `stepKey`, so a step sent again is charged once.
 */
export interface FlowStepPayment {
  holdId: string;
  stepKey: string;
}

interface UsageAnswer {
  inputTokens: number;
  outputTokens: number;
}

export interface GenerateAnswer {
  id: string;
  text: string;
  model: { id: string };
  usage: UsageAnswer;
  /** µcr, as the ledger charged it. */
  cost: string;
  prompt: { promptId: string; version: number } | null;
}

export interface EmbedAnswer {
  model: { id: string };
  vectors: number[][];
  dimensions: number;
  usage: UsageAnswer;
  cost: string;
}

const GENERATE = `mutation OrchestrationGenerate($input: GenerateInput!) {
  generate(input: $input) {
    id text model { id } usage { inputTokens outputTokens } cost prompt { promptId version }
  }
}`;

const EMBED = `mutation OrchestrationEmbed($input: EmbedInput!) {
  embed(input: $input) { model { id } vectors dimensions usage { inputTokens outputTokens } cost }
}`;

/**
 * Inference's `generate` and `embed` as orchestration calls them: for a caller, never as itself.
 * `inferenceUrl` is read at each call: in one process inference starts after orchestration.
 */
export function createInferenceClient(options: {
  client: ServiceClient;
  inferenceUrl: () => string;
}) {
  const { client, inferenceUrl } = options;
  const call = <T>(query: string, caller: ModelCaller, input: object) =>
    client.graphql<T>(
      inferenceUrl(),
      query,
      { input: { ...input, teamId: caller.teamId } },
      caller.requestId,
      { actFor: caller.principal },
    );
  return {
    generate: async (caller: ModelCaller, input: GenerateRequest) =>
      (await call<{ generate: GenerateAnswer }>(GENERATE, caller, input)).generate,
    embed: async (caller: ModelCaller, input: EmbedRequest) =>
      (await call<{ embed: EmbedAnswer | null }>(EMBED, caller, input)).embed!,
  };
}

export type InferenceClient = ReturnType<typeof createInferenceClient>;
