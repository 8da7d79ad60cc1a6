import { createAnthropicAdapter } from './anthropic.js';
import { createLocalAdapter } from './local/local-adapter.js';
import { createOpenAiCompatibleAdapter } from './openai-compatible.js';
import { tracedAdapter } from './traced-adapter.js';
import { ProviderError, type ProviderAdapter, type ProviderSpec } from './types.js';

/**
 * The adapter for each provider the catalog names, made on first use and kept (each HTTP adapter
 * owns a keep-alive pool). API keys come from the environment variable the catalog names; a
 * missing variable is the deployment's AUTH failure, so routing falls back past it. Every call
 * gets a GenAI span (traced-adapter.ts).
 */
export function createProviderRegistry(options: {
  env?: NodeJS.ProcessEnv;
  /** Replaces the built-in local provider (tests). */
  local?: ProviderAdapter;
}) {
  const env = options.env ?? process.env;
  const local = options.local ?? createLocalAdapter();
  const adapters = new Map<string, ProviderAdapter>();
  // What callers get: the adapter with a GenAI span per call (the pools stay in `adapters`).
  const traced = new Map<string, ProviderAdapter>();

  const make = (spec: ProviderSpec): ProviderAdapter => {
    if (spec.kind === 'LOCAL') return local;
    if (!spec.baseUrl) {
      throw new ProviderError('AUTH', `provider ${spec.id} has no base URL in the catalog`);
    }
    const apiKey = spec.apiKeyEnv ? env[spec.apiKeyEnv] : '';
    if (apiKey === undefined || (spec.kind === 'ANTHROPIC' && !apiKey)) {
      throw new ProviderError('AUTH', `${spec.apiKeyEnv ?? 'the API key variable'} is not set`);
    }
    return spec.kind === 'ANTHROPIC'
      ? createAnthropicAdapter({ baseUrl: spec.baseUrl, apiKey })
      : createOpenAiCompatibleAdapter({ baseUrl: spec.baseUrl, apiKey });
  };

  return {
    adapterFor(spec: ProviderSpec): ProviderAdapter {
      const key = `${spec.id}|${spec.kind}|${spec.baseUrl}|${spec.apiKeyEnv}`;
      let adapter = traced.get(key);
      if (!adapter) {
        const made = make(spec);
        adapters.set(key, made);
        adapter = tracedAdapter(made, spec);
        traced.set(key, adapter);
      }
      return adapter;
    },
    async close() {
      await Promise.all([...new Set([...adapters.values(), local])].map((a) => a.close()));
      adapters.clear();
      traced.clear();
    },
  };
}

export type ProviderRegistry = ReturnType<typeof createProviderRegistry>;
