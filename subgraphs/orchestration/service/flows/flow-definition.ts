/**
 * A flow's definition: the JSON a team saves as a flow version (issue 17). Every value a step
 * computes from earlier results is a JSONata expression (`Expression`) evaluated against
 * `{ inputs, steps, item, index }`: `inputs` are the run's inputs, `steps.<id>` the output of
 * every step that has finished so far in scope, and `item` / `index` the current element inside a
 * `map`. Nothing else runs: no code, no network, no clock.
 */

/** A JSONata expression, e.g. `inputs.question` or `$join(steps.find.chunks.text, "\n")`. */
export type Expression = string;

/** When a step that failed is tried again (only for errors worth retrying: see flow-errors.ts). */
export interface RetryPolicy {
  /** Tries in all, the first included. @default 1 */
  maxAttempts: number;
  /** Wait before the second try, doubled for each further one. @default 200 */
  backoffMs?: number;
}

interface StepCommon {
  /** Unique in the whole flow (nested steps included); how expressions name its output. */
  id: string;
  retry?: RetryPolicy;
}

/** A reference to a saved prompt: a version number or a label (`production`), never both. */
export interface PromptReference {
  id: string;
  version?: number;
  label?: string;
}

export interface PromptStep extends StepCommon {
  kind: 'prompt';
  prompt: PromptReference;
  /** One expression per template variable. */
  variables?: Record<string, Expression>;
  /** Overrides the prompt version's default model. */
  model?: string;
  maxTokens?: number;
}

export interface GenerateStep extends StepCommon {
  kind: 'generate';
  model: string;
  messages: Array<{ role: 'SYSTEM' | 'USER' | 'ASSISTANT'; content: Expression }>;
  maxTokens?: number;
  temperature?: number;
}

export interface EmbedStep extends StepCommon {
  kind: 'embed';
  model: string;
  /** Must evaluate to a string or a list of strings. */
  texts: Expression;
}

export interface RetrieveStep extends StepCommon {
  kind: 'retrieve';
  collection: string;
  /** Must evaluate to a string. */
  query: Expression;
  /** @default 5 */
  topK?: number;
  minScore?: number;
  /** Metadata equality filters, each value an expression. */
  filter?: Record<string, Expression>;
}

export interface TransformStep extends StepCommon {
  kind: 'transform';
  expression: Expression;
}

export interface BranchStep extends StepCommon {
  kind: 'branch';
  /** The first case whose `when` is truthy runs its steps; none does: `otherwise` (if any). */
  cases: Array<{ when: Expression; steps: FlowStep[] }>;
  otherwise?: FlowStep[];
}

export interface MapStep extends StepCommon {
  kind: 'map';
  /** Must evaluate to a list (at most MAX_MAP_ITEMS elements). */
  over: Expression;
  /** Iterations at once. @default 1 */
  concurrency?: number;
  steps: FlowStep[];
  /** Each iteration's result; by default its last step's output. */
  result?: Expression;
}

export type FlowStep =
  PromptStep | GenerateStep | EmbedStep | RetrieveStep | TransformStep | BranchStep | MapStep;

export type StepKind = FlowStep['kind'];

export interface FlowDefinition {
  /** JSON Schema (type object) the run's inputs must satisfy. */
  inputs: Record<string, unknown>;
  steps: FlowStep[];
  /** The run's output; by default the last top-level step's output. */
  output?: Expression;
  /** JSON Schema the output must satisfy, if given. */
  outputSchema?: Record<string, unknown>;
}

/** Steps that call a model and are paid for. */
export const PAID_KINDS: ReadonlySet<StepKind> = new Set([
  'prompt',
  'generate',
  'embed',
  'retrieve',
]);

export const LIMITS = {
  /** Steps in one definition, nested ones included. */
  maxSteps: 100,
  /** Branches and maps inside each other. */
  maxNesting: 4,
  maxConcurrency: 16,
  maxAttempts: 5,
  maxBackoffMs: 30_000,
  /** Elements one map may iterate over (checked when it runs). */
  maxMapItems: 1_000,
  maxTopK: 100,
  /** Characters in one expression. */
  maxExpressionLength: 4_000,
} as const;
