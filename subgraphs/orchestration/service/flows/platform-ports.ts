import { codedError, ErrorCode } from '../../../../lib/errors.js';
import {
  chatPromptBound,
  embeddingInputBound,
  worstCaseCost,
} from '../../../inference/service/cost.js';
import { DEFAULT_MAX_TOKENS } from '../../../inference/service/saga/chat-call.js';
import type {
  ChatMessage,
  ResponseFormat,
  ToolDefinition,
} from '../../../inference/providers/types.js';
import type {
  DataClass,
  GenerateAnswer,
  InferenceClient,
  ModelCaller,
} from '../../clients/inference-client.js';
import type { MetadataFilter } from '../../../../lib/vectors/vector-index.js';
import type { ModelPrices, PriceBound } from '../../clients/model-prices.js';
import type { RunRow } from '../../store/run-store.js';
import type { PromptRendering } from '../prompt-render.js';
import type { FlowCollections } from './flow-collections.js';
import type { FlowPorts, PaidResult, StepCall } from './flow-ports.js';

export interface PlatformPortsDeps {
  inference: () => InferenceClient;
  prices: ModelPrices;
  /** Renders a prompt of the run's team as inference will (to size the step's worst case). */
  renderPrompt(
    caller: ModelCaller,
    ref: { promptId: string; version: number | null; label: string | null },
    variables: unknown,
  ): Promise<PromptRendering>;
  /** @default none: retrieve steps fail with SERVICE_UNAVAILABLE */
  collections?: FlowCollections;
}

/** The most a chat can cost at `bound`'s prices: every prompt byte a token, every output token. */
function chatWorstCase(
  prompt: { messages: Array<{ role: string; content: string }>; tools?: unknown; format?: unknown },
  maxTokens: number | null | undefined,
  bound: PriceBound,
) {
  const output = maxTokens ?? Math.min(DEFAULT_MAX_TOKENS, bound.maxOutputTokens ?? Infinity);
  const inputBound = chatPromptBound({
    messages: prompt.messages.map((m) => ({
      role: m.role.toLowerCase() as ChatMessage['role'],
      content: m.content,
    })),
    tools: (prompt.tools as ToolDefinition[] | null) ?? undefined,
    responseFormat: (prompt.format as ResponseFormat | null) ?? undefined,
  });
  return worstCaseCost(inputBound, output, {
    version: 0,
    inputPerMillion: String(bound.inputPerMillion),
    outputPerMillion: String(bound.outputPerMillion),
  });
}

/** The most an embedding of `texts` can cost at `bound`'s prices: every byte a token. */
const embedWorstCase = (texts: string[], bound: PriceBound) =>
  (BigInt(embeddingInputBound(texts)) * bound.inputPerMillion + 999_999n) / 1_000_000n;

const paid = (
  output: unknown,
  answer: { cost: string; usage: { inputTokens: number; outputTokens: number } },
): PaidResult => ({
  output,
  cost: BigInt(answer.cost),
  inputTokens: answer.usage.inputTokens,
  outputTokens: answer.usage.outputTokens,
});

/** A generation as a step's output: `steps.<id>.text` in later expressions. */
const generation = (answer: GenerateAnswer) => ({
  text: answer.text,
  model: answer.model.id,
  generationId: answer.id,
});

/**
 * A run's paid calls over the platform (decision 103): each model step goes to inference's own
 * `generate` or `embed` for the run's creator (a delegated token), in the run's team and data
 * class, paid from the run's FLOW_RUN hold by a spend keyed by the step's idempotency key. Before
 * the call the step reserves its worst case from the run's budget, priced like inference prices
 * its holds: every prompt byte a token (plus framing) and every output token the call may make,
 * at the dearest price of the models the name may reach.
 */
export function createPlatformPorts(
  deps: PlatformPortsDeps,
  run: RunRow & { holdId: string },
): FlowPorts {
  const caller = (call: StepCall): ModelCaller => ({
    principal: run.creator,
    teamId: run.teamId,
    requestId: call.idempotencyKey,
  });
  const common = (call: StepCall) => ({
    dataClass: run.dataClass as DataClass,
    flowStep: { holdId: run.holdId, stepKey: call.idempotencyKey },
  });

  return {
    async generate(args, call) {
      const bound = await deps.prices.boundOf(args.model, call.idempotencyKey);
      call.reserve(chatWorstCase({ messages: args.messages }, args.maxTokens, bound));
      const answer = await deps.inference().generate(caller(call), {
        model: args.model,
        messages: args.messages,
        maxTokens: args.maxTokens,
        temperature: args.temperature,
        idempotencyKey: call.idempotencyKey,
        ...common(call),
      });
      return paid(generation(answer), answer);
    },

    async prompt(args, call) {
      const ref = {
        promptId: args.prompt.id,
        version: args.prompt.version ?? null,
        label: args.prompt.label ?? null,
      };
      const rendered = await deps.renderPrompt(caller(call), ref, args.variables);
      const model = args.model ?? rendered.model;
      if (!model) {
        throw codedError(
          ErrorCode.BAD_USER_INPUT,
          `Step ${call.path}: the prompt has no default model; name one in the step.`,
          { step: call.path },
        );
      }
      const bound = await deps.prices.boundOf(model, call.idempotencyKey);
      const maxTokens = args.maxTokens ?? rendered.parameters.maxTokens;
      call.reserve(
        chatWorstCase(
          { messages: rendered.messages, tools: rendered.tools, format: rendered.responseFormat },
          maxTokens,
          bound,
        ),
      );
      // The version the label names now is the one rendered above and sent below.
      const answer = await deps.inference().generate(caller(call), {
        model,
        prompt: { promptId: ref.promptId, version: rendered.version, variables: args.variables },
        maxTokens: maxTokens ?? undefined,
        idempotencyKey: call.idempotencyKey,
        ...common(call),
      });
      return paid({ ...generation(answer), prompt: answer.prompt }, answer);
    },

    async embed(args, call) {
      const bound = await deps.prices.boundOf(args.model, call.idempotencyKey);
      call.reserve(embedWorstCase(args.texts, bound));
      const answer = await deps.inference().embed(caller(call), {
        model: args.model,
        texts: args.texts,
        ...common(call),
      });
      return paid(
        { vectors: answer.vectors, dimensions: answer.dimensions, model: answer.model.id },
        answer,
      );
    },

    async retrieve(args, call) {
      if (!deps.collections) {
        throw codedError(
          ErrorCode.SERVICE_UNAVAILABLE,
          `Step ${call.path}: retrieval collections are not available on this platform yet.`,
          { step: call.path },
        );
      }
      // The query's embedding, reserved as an embed step's: every byte of it a token.
      const model = await deps.collections.embeddingModelOf(run.teamId, args.collection);
      const bound = await deps.prices.boundOf(model, call.idempotencyKey);
      call.reserve(embedWorstCase([args.query], bound));
      const found = await deps.collections.search(caller(call), args.collection, {
        text: args.query,
        topK: args.topK,
        minScore: args.minScore,
        // Values the flow's expressions computed: the search checks them (BAD_USER_INPUT).
        filter: args.filter as MetadataFilter,
        flowStep: { holdId: run.holdId, stepKey: call.idempotencyKey },
      });
      return {
        output: { chunks: found.matches },
        cost: found.cost,
        inputTokens: found.inputTokens,
        outputTokens: 0,
      };
    },
  };
}
