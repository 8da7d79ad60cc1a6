import type { ResolvedRoute } from '../../../lib/catalog/resolved-route.js';
import { notFound } from '../../../lib/errors.js';
import type { ServiceClient } from '../../../lib/service-client.js';
import { CATALOG_INTERNAL_PATHS } from '../../model-catalog/internal-routes.js';

/**
 * The dearest a model name can be: for a route alias, the highest input and output price of any
 * of its models (any may answer, by fallback), and the largest output limit. Prices in µcr per
 * million tokens.
 */
export interface PriceBound {
  inputPerMillion: bigint;
  outputPerMillion: bigint;
  /** The largest maxOutputTokens of its models; null when one has no limit. */
  maxOutputTokens: number | null;
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);

/**
 * The catalog's prices as a flow step sizes its worst case (decision 103): the catalog's own
 * route resolution (`/internal/resolve-route`, as inference reads it), asked per call so a price
 * change applies to the next step. An unknown name is NOT_FOUND before anything is spent.
 */
export function createModelPrices(options: { client: ServiceClient; catalogUrl: string }) {
  const url = () => new URL(CATALOG_INTERNAL_PATHS.resolveRoute, options.catalogUrl).toString();
  return {
    async boundOf(model: string, requestId: string): Promise<PriceBound> {
      const answer = await options.client.post<{ route: ResolvedRoute | null }>(
        url(),
        { name: model },
        requestId,
      );
      if (!answer.route) throw notFound('Model or route', model);
      let bound: PriceBound = { inputPerMillion: 0n, outputPerMillion: 0n, maxOutputTokens: 0 };
      for (const { model: spec } of answer.route.targets) {
        const limit =
          bound.maxOutputTokens === null || spec.maxOutputTokens === null
            ? null
            : Math.max(bound.maxOutputTokens, spec.maxOutputTokens);
        bound = {
          inputPerMillion: max(bound.inputPerMillion, BigInt(spec.price?.inputPerMillion ?? 0)),
          outputPerMillion: max(bound.outputPerMillion, BigInt(spec.price?.outputPerMillion ?? 0)),
          maxOutputTokens: limit,
        };
      }
      return bound;
    },
  };
}

export type ModelPrices = ReturnType<typeof createModelPrices>;
