import type {
  Capability,
  DataClassification,
  LifecycleStatus,
  ProviderKind,
  RoutingStrategy,
} from '../generated/resolvers-types.js';

/** A provider as the store returns it. */
export interface ProviderRow {
  id: string;
  displayName: string;
  kind: ProviderKind;
  baseUrl: string | null;
  apiKeyEnv: string | null;
  createdAt: Date;
}

/** A model as the store returns it; `status` is already RETIRED once the sunset has passed. */
export interface ModelRow {
  id: string;
  providerId: string;
  providerModel: string;
  displayName: string;
  description: string;
  capabilities: Capability[];
  contextWindow: number;
  maxOutputTokens: number | null;
  embeddingDimensions: number | null;
  maxBatchSize: number | null;
  tags: string[];
  status: LifecycleStatus;
  dataClassification: DataClassification;
  deprecatedAt: Date | null;
  sunsetAt: Date | null;
  replacementId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One price version; `effectiveUntil` is the next version's start, filled in by pricing.ts. */
export interface PriceRow {
  modelId: string;
  version: number;
  inputPerMillion: bigint;
  outputPerMillion: bigint;
  effectiveFrom: Date;
  effectiveUntil: Date | null;
}

export interface RouteTargetRow {
  modelId: string;
  weight: number;
}

export interface RouteRow {
  alias: string;
  description: string;
  strategy: RoutingStrategy;
  targets: RouteTargetRow[];
  updatedAt: Date;
}

/** The model fields a caller sets; the store adds timestamps and lifecycle dates. */
export type ModelFields = Omit<
  ModelRow,
  'createdAt' | 'updatedAt' | 'deprecatedAt' | 'sunsetAt' | 'replacementId'
>;

export interface NewPrice {
  inputPerMillion: bigint;
  outputPerMillion: bigint;
  effectiveFrom: Date;
}
