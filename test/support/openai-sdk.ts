import OpenAI from 'openai';
import { startEmulatedStack, type Deployment, type EmulatedStack } from './emulated-deployments.js';
import { expectNoErrors } from './graphql-client.js';
import { TEST_ADMIN_KEY, type StackOptions } from './stack.js';
import type { StoreMode } from './test-env.js';
import { typed } from './typed-document.js';

const CAPABILITIES = typed<{ updateModel: { id: string } }, { id: string; c: string[] }>(
  `mutation($id: ID!, $c: [Capability!]!) { updateModel(id: $id, input: { capabilities: $c }) { id } }`,
);

/** The official openai SDK pointed at the gateway's /v1 with `apiKey`; it never retries by itself. */
export const openAiClient = (gatewayBase: string, apiKey: string) =>
  new OpenAI({ baseURL: `${gatewayBase}/v1`, apiKey, maxRetries: 0 });

export interface OpenAiStack extends EmulatedStack {
  /** An emulated OpenAI-compatible chat model with tools, JSON modes and streaming. */
  chat: Deployment;
  /** An emulated embedding model (8 dimensions). */
  embedder: Deployment;
  /** The SDK with the calling team's key. */
  client: OpenAI;
}

/**
 * The platform with one emulated chat model (TOOLS, JSON_MODE, STRUCTURED_OUTPUT, STREAMING) and
 * one embedding model, and the openai SDK for a team with 100 credits that may call every model.
 * Prices: 1 µcr per input token, 2 per output token.
 */
export async function startOpenAiStack(
  mode: StoreMode,
  team: string,
  options: Omit<StackOptions, 'mode' | 'inference'> = {},
): Promise<OpenAiStack> {
  const emulated = await startEmulatedStack(mode, {
    ...options,
    team,
    settings: { retryBaseMs: 5, attemptTimeoutMs: 5_000, catalogCacheMs: 0 },
  });
  const chat = await emulated.deployments.deploy(`${mode}-sdk-chat`);
  expectNoErrors(
    await emulated.stack.request(CAPABILITIES, {
      token: TEST_ADMIN_KEY,
      variables: {
        id: chat.modelId,
        c: ['CHAT', 'TOOLS', 'JSON_MODE', 'STRUCTURED_OUTPUT', 'STREAMING'],
      },
    }),
  );
  const embedder = await emulated.deployments.deploy(`${mode}-sdk-embed`, {
    capability: 'EMBEDDING',
    maxBatchSize: 64,
  });
  return {
    ...emulated,
    chat,
    embedder,
    client: openAiClient(emulated.stack.gatewayBase, emulated.team.key),
  };
}

/** What the ledger should charge at the test prices for a chat's usage. */
export const chatCost = (usage: { prompt_tokens: number; completion_tokens: number }) =>
  BigInt(usage.prompt_tokens + 2 * usage.completion_tokens);
