import { badUserInput } from '../../../../lib/errors.js';
import type {
  EmbedStep,
  GenerateStep,
  PromptReference,
  PromptStep,
  RetrieveStep,
} from './flow-definition.js';
import { evaluateExpression, type ExpressionScope } from './flow-expressions.js';

/** What a paid step's call gets besides its arguments. */
export interface StepCall {
  /** Where the step sits in the run (`answer`, `each[2].summary`). */
  path: string;
  /** Stable for the step in this run: a retry or a resumed run sends the same key. */
  idempotencyKey: string;
  signal: AbortSignal;
  /**
   * Sets aside the step's worst-case cost from what is left of the run's maxCost, before the
   * call; throws BUDGET_EXCEEDED when it does not fit. Call it once per try.
   */
  reserve(worstCase: bigint): void;
}

/** What a paid step answered and what it cost (exactly, as the ledger captured it). */
export interface PaidResult {
  output: unknown;
  cost: bigint;
  inputTokens: number;
  outputTokens: number;
}

export interface PromptArgs {
  prompt: PromptReference;
  variables: Record<string, unknown>;
  model?: string;
  maxTokens?: number;
}
export interface GenerateArgs {
  model: string;
  messages: Array<{ role: 'SYSTEM' | 'USER' | 'ASSISTANT'; content: string }>;
  maxTokens?: number;
  temperature?: number;
}
export interface EmbedArgs {
  model: string;
  texts: string[];
}
export interface RetrieveArgs {
  collection: string;
  query: string;
  topK: number;
  minScore?: number;
  filter: Record<string, unknown>;
}

/**
 * The platform's paid calls, as the flow runner uses them: each goes through the same policy,
 * rate limits and wallet as a direct call would (issue 17, "policy flows through").
 */
export interface FlowPorts {
  prompt(args: PromptArgs, call: StepCall): Promise<PaidResult>;
  generate(args: GenerateArgs, call: StepCall): Promise<PaidResult>;
  embed(args: EmbedArgs, call: StepCall): Promise<PaidResult>;
  retrieve(args: RetrieveArgs, call: StepCall): Promise<PaidResult>;
}

export type PaidStep = PromptStep | GenerateStep | EmbedStep | RetrieveStep;

const DEFAULT_TOP_K = 5;

async function evaluateAll(
  record: Record<string, string> | undefined,
  scope: ExpressionScope,
  where: string,
) {
  const out: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(record ?? {})) {
    out[key] = await evaluateExpression(text, scope, `${where}.${key}`);
  }
  return out;
}

const text = (value: unknown, where: string): string => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw badUserInput(
    `The expression at ${where} must give text; it gave ${JSON.stringify(value)}.`,
    {
      path: where,
    },
  );
};

/** A paid step's arguments evaluated in `scope`, and its call. */
export async function callPaidStep(
  step: PaidStep,
  scope: ExpressionScope,
  ports: FlowPorts,
  call: StepCall,
): Promise<PaidResult> {
  const where = call.path;
  switch (step.kind) {
    case 'prompt':
      return ports.prompt(
        {
          prompt: step.prompt,
          variables: await evaluateAll(step.variables, scope, `${where}.variables`),
          model: step.model,
          maxTokens: step.maxTokens,
        },
        call,
      );
    case 'generate': {
      const messages = [];
      for (const [i, m] of step.messages.entries()) {
        const at = `${where}.messages[${i}]`;
        messages.push({
          role: m.role,
          content: text(await evaluateExpression(m.content, scope, at), at),
        });
      }
      return ports.generate(
        { model: step.model, messages, maxTokens: step.maxTokens, temperature: step.temperature },
        call,
      );
    }
    case 'embed': {
      const value = await evaluateExpression(step.texts, scope, `${where}.texts`);
      const list = Array.isArray(value) ? value : [value];
      const texts = list.map((v, i) => text(v, `${where}.texts[${i}]`));
      return ports.embed({ model: step.model, texts }, call);
    }
    case 'retrieve': {
      const query = text(
        await evaluateExpression(step.query, scope, `${where}.query`),
        `${where}.query`,
      );
      return ports.retrieve(
        {
          collection: step.collection,
          query,
          topK: step.topK ?? DEFAULT_TOP_K,
          minScore: step.minScore,
          filter: await evaluateAll(step.filter, scope, `${where}.filter`),
        },
        call,
      );
    }
  }
}
