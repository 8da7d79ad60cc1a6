import type { SubgraphBaseContext } from '../../lib/subgraph/subgraph-server.js';
import type { PolicyClient } from './clients/policy-client.js';
import { embedGroup } from './service/saga/embed.js';
import { createEmbedOperation } from './service/saga/embed-operation.js';
import { sagaContextOf, type SagaDeps } from './service/saga/saga-types.js';

/**
 * What one request batches: policy decisions (every check of the operation in one call to policy)
 * and the operation's `embed` fields (planned together, one saga per team, model and data class).
 */
export function createInferenceLoaders(
  deps: { policy: PolicyClient; saga: SagaDeps },
  base: SubgraphBaseContext,
) {
  const decisions = deps.policy.loaderFor(base.requestId);
  return {
    decisions,
    embeds: createEmbedOperation((teamId, fields, flowStep) =>
      embedGroup(
        deps.saga,
        { ...sagaContextOf({ ...base, decisions }, teamId), ...(flowStep ? { flowStep } : {}) },
        fields,
      ),
    ),
  };
}

export type InferenceLoaders = ReturnType<typeof createInferenceLoaders>;
