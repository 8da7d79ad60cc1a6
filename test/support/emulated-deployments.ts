import { expectNoErrors } from './graphql-client.js';
import { createCallingTeam, type CallingTeam } from './inference-setup.js';
import {
  startAnthropicEmulator,
  startOpenAiEmulator,
  type EmulatorOptions,
  type ProviderEmulator,
} from './provider-emulators.js';
import { startStack, TEST_ADMIN_KEY, type Stack, type StackOptions } from './stack.js';
import type { InferenceSettings } from '../../subgraphs/inference/config.js';
import type { StoreMode } from './test-env.js';

/** The API key variables emulated providers read (give them to the stack's inference env). */
export const EMULATOR_ENV = { EMU_OPENAI_KEY: 'sk-emulated', EMU_ANTHROPIC_KEY: 'ak-emulated' };

const PROVIDER = `mutation($i: RegisterProviderInput!) { registerProvider(input: $i) { id } }`;
const MODEL = `mutation($i: RegisterModelInput!) { registerModel(input: $i) { id } }`;
const ROUTE = `mutation($i: ModelRouteInput!) { setModelRoute(input: $i) { alias } }`;

/** What an emulated deployment can do, as its emulator answers it. */
function honestCapabilities(kind: 'OPENAI_COMPATIBLE' | 'ANTHROPIC', embedding: boolean) {
  if (embedding) return ['EMBEDDING'];
  const chat = ['CHAT', 'STREAMING', 'TOOLS'];
  return kind === 'ANTHROPIC' ? chat : [...chat, 'JSON_MODE', 'STRUCTURED_OUTPUT'];
}

export interface Deployment {
  emulator: ProviderEmulator;
  providerId: string;
  modelId: string;
}

export interface DeployOptions {
  kind?: 'OPENAI_COMPATIBLE' | 'ANTHROPIC';
  capability?: 'CHAT' | 'EMBEDDING';
  /**
   * The model's capabilities. @default what the emulator honours: OpenAI's chat has CHAT,
   * STREAMING, TOOLS, JSON_MODE and STRUCTURED_OUTPUT; Anthropic's CHAT, STREAMING and TOOLS;
   * embeddings EMBEDDING
   */
  capabilities?: string[];
  emulator?: EmulatorOptions;
  price?: { inputPerMillion: string; outputPerMillion: string };
  maxBatchSize?: number;
  dataClassification?: string;
}

/**
 * Emulated provider deployments registered in the catalog through the admin API: each one an
 * emulator, a provider pointing at it and one model on it.
 */
export function createDeployments(stack: Stack) {
  const emulators: ProviderEmulator[] = [];
  const admin = async (query: string, variables: Record<string, unknown>) =>
    expectNoErrors(await stack.request(query, { token: TEST_ADMIN_KEY, variables }));

  /** Registers a provider at `baseUrl` and one model on it. */
  const register = async (name: string, baseUrl: string, options: DeployOptions = {}) => {
    const kind = options.kind ?? 'OPENAI_COMPATIBLE';
    await admin(PROVIDER, {
      i: {
        id: name,
        displayName: name,
        kind,
        baseUrl,
        apiKeyEnv: kind === 'ANTHROPIC' ? 'EMU_ANTHROPIC_KEY' : 'EMU_OPENAI_KEY',
      },
    });
    const embedding = options.capability === 'EMBEDDING';
    const modelId = `${name}/model`;
    await admin(MODEL, {
      i: {
        id: modelId,
        providerId: name,
        displayName: `${name} model`,
        capabilities: options.capabilities ?? honestCapabilities(kind, embedding),
        contextWindow: 100_000,
        maxOutputTokens: embedding ? null : 4096,
        embeddingDimensions: embedding ? 8 : null,
        maxBatchSize: options.maxBatchSize ?? null,
        dataClassification: options.dataClassification ?? 'CONFIDENTIAL',
        price: options.price ?? { inputPerMillion: '1000000', outputPerMillion: '2000000' },
      },
    });
    return { providerId: name, modelId };
  };

  return {
    /** Starts an emulator of `options.kind` and registers it (`register`). */
    async deploy(name: string, options: DeployOptions = {}): Promise<Deployment> {
      const kind = options.kind ?? 'OPENAI_COMPATIBLE';
      const emulator = await (kind === 'ANTHROPIC' ? startAnthropicEmulator : startOpenAiEmulator)(
        options.emulator,
      );
      emulators.push(emulator);
      return { emulator, ...(await register(name, emulator.baseUrl, options)) };
    },

    /** A deployment whose emulator runs elsewhere (another process, say), at `baseUrl`. */
    register,

    async route(alias: string, strategy: string, targets: Deployment[]) {
      await admin(ROUTE, {
        i: { alias, strategy, targets: targets.map((t) => ({ modelId: t.modelId })) },
      });
      return alias;
    },

    async closeAll() {
      await Promise.all(emulators.map((e) => e.close()));
    },
  };
}

export interface EmulatedStack {
  stack: Stack;
  deployments: ReturnType<typeof createDeployments>;
  /** A team that may call every model, with 100 credits. */
  team: CallingTeam;
  stop(): Promise<void>;
}

/**
 * The platform with emulated providers' keys in the inference environment, a deployment factory
 * and one calling team: what the provider-facing end-to-end suites start with.
 */
export async function startEmulatedStack(
  mode: StoreMode,
  options: {
    team: string;
    settings?: Partial<InferenceSettings>;
  } & Omit<StackOptions, 'mode' | 'inference'>,
): Promise<EmulatedStack> {
  const { team: name, settings, ...rest } = options;
  const stack = await startStack({ ...rest, mode, inference: { env: EMULATOR_ENV, settings } });
  const deployments = createDeployments(stack);
  const team = await createCallingTeam(stack, { name });
  return {
    stack,
    deployments,
    team,
    async stop() {
      await deployments.closeAll();
      await stack.stop();
    },
  };
}
