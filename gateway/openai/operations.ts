/**
 * The public GraphQL operations /v1 runs. Every limit, guard, audit rule and subgraph rule of
 * /graphql applies to them: most go through the gateway's ApolloServer like any client's; those
 * in SINGLE_SUBGRAPH_OPERATIONS go straight to their subgraph through the same checks
 * (direct-runner.ts), and CHAT_STREAM through the gateway's subscription path.
 */

export const GENERATION_FIELDS = `id model { id } text toolCalls { id name arguments }
  finishReason usage { inputTokens outputTokens totalTokens } createdAt`;

export const CHAT = `mutation OpenAiChatCompletion($input: GenerateInput!) {
  generate(input: $input) { ${GENERATION_FIELDS} } }`;

export const CHAT_STREAM = `subscription OpenAiChatCompletionStream($input: GenerateInput!) {
  generateStream(input: $input) {
    __typename
    ... on GenerationDelta { generationId text toolCalls { index id name arguments } }
    ... on GenerationCompleted { generation { ${GENERATION_FIELDS} } }
    ... on GenerationFailed { code message generation { id } } } }`;

export const EMBED = `mutation OpenAiEmbeddings($input: EmbedInput!) {
  embed(input: $input) { model { id } vectors dimensions usage { inputTokens } } }`;

export const EMBEDDING_DIMENSIONS = `query OpenAiEmbeddingDimensions($id: ID!) {
  model(id: $id) { id embeddingDimensions } }`;

/**
 * The operations one subgraph serves whole (Apollo Gateway's plan for each is one fetch), which
 * /v1 sends straight to that subgraph: decision 106.
 */
export const SINGLE_SUBGRAPH_OPERATIONS: ReadonlySet<string> = new Set([CHAT, EMBED]);

const MODEL_FIELDS = `id createdAt provider { id } lifecycle { status } access { allowed }`;

export const MODELS = `query OpenAiModels($after: String) {
  models(first: 100, after: $after) {
    edges { node { ${MODEL_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;

export const MODEL = `query OpenAiModel($id: ID!) { model(id: $id) { ${MODEL_FIELDS} } }`;

const ROUTE_FIELDS = `alias updatedAt targets { model { ${MODEL_FIELDS} } }`;

/** Routing aliases are called like models (`model: "chat-default"`), so /v1 lists them too. */
export const ROUTES = `query OpenAiRoutes { routes { ${ROUTE_FIELDS} } }`;

export const ROUTE = `query OpenAiRoute($alias: ID!) { route(alias: $alias) { ${ROUTE_FIELDS} } }`;

/** A Generation as the operations above select it. */
export interface GenerationResult {
  id: string;
  model: { id: string };
  text: string;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  finishReason: string;
  usage: { inputTokens: number; outputTokens: number; totalTokens: number };
  createdAt: string;
}

/** One event of CHAT_STREAM. */
export type StreamEvent =
  | {
      __typename: 'GenerationDelta';
      generationId: string;
      text: string;
      toolCalls: Array<{
        index: number;
        id: string | null;
        name: string | null;
        arguments: string;
      }>;
    }
  | { __typename: 'GenerationCompleted'; generation: GenerationResult }
  | { __typename: 'GenerationFailed'; code: string; message: string; generation: { id: string } };

export interface EmbeddingsResult {
  model: { id: string };
  vectors: number[][];
  dimensions: number;
  usage: { inputTokens: number };
}

export interface RouteResult {
  alias: string;
  updatedAt: string;
  targets: Array<{ model: ModelResult }>;
}

export interface ModelResult {
  id: string;
  createdAt: string;
  provider: { id: string };
  lifecycle: { status: string };
  access: { allowed: boolean };
}
