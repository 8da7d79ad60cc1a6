/**
 * What the model catalog tells the inference service about a `model` argument: the route it names
 * (an alias, or a single model as a one-target route) with everything needed to call and price
 * each target. The catalog's internal route (`CATALOG_INTERNAL_PATHS.resolveRoute` in
 * subgraphs/model-catalog/route-resolver.ts) answers it; amounts are decimal strings.
 */
export interface ResolvedRoute {
  /** The alias, or the model's id when the caller named a model. */
  alias: string;
  strategy: RoutingStrategy;
  targets: ResolvedTarget[];
}

export type RoutingStrategy = 'FALLBACK' | 'WEIGHTED' | 'LOWEST_LATENCY' | 'LOWEST_COST';

export interface ResolvedTarget {
  weight: number;
  model: ModelSpec;
}

export interface ModelSpec {
  id: string;
  providerModel: string;
  capabilities: string[];
  tags: string[];
  dataClassification: string;
  /** PREVIEW, ACTIVE, DEPRECATED or RETIRED (a retired model is never called). */
  status: string;
  contextWindow: number;
  maxOutputTokens: number | null;
  embeddingDimensions: number | null;
  maxBatchSize: number | null;
  provider: {
    id: string;
    kind: 'LOCAL' | 'OPENAI_COMPATIBLE' | 'ANTHROPIC';
    baseUrl: string | null;
    apiKeyEnv: string | null;
  };
  /** The price version in force now; null when the model has none yet. */
  price: { version: number; inputPerMillion: string; outputPerMillion: string } | null;
}
