/**
 * Routes `/v1/...` requests to the resource handlers: matches the path, refuses parameters the
 * endpoint does not take, runs the handler and applies `expand[]`. Handlers return stored objects;
 * the answer is a copy, so a replay saved for an idempotency key keeps the object as it was.
 */
import type { EventRequest } from './emulator-objects.js';
import { expandFields, type ObjectLookup } from './expand-fields.js';
import type { FormObject } from './form-body.js';
import { rejectUnknown, StripeApiError, stringList } from './request-params.js';

export interface ApiRequest {
  params: FormObject;
  /** The path's `:id`, when it has one. */
  id: string;
  /** What events this request causes say caused them. */
  request: EventRequest;
}

export interface ApiRoute {
  method: 'GET' | 'POST';
  /** `/v1/refunds/:id`; one `:id` at most. */
  path: string;
  /** Top-level parameters it takes besides `expand`. */
  params: readonly string[];
  handle(request: ApiRequest): object;
}

/** The list parameters every list endpoint takes. */
export const LIST_PARAMS = ['limit', 'starting_after', 'ending_before', 'created'] as const;

export type ApiRouter = ReturnType<typeof createApiRouter>;

export function createApiRouter(routes: ApiRoute[], lookup: ObjectLookup) {
  const compiled = routes.map((route) => ({
    route,
    pattern: new RegExp(`^${route.path.replace(':id', '([^/]+)')}$`),
  }));

  return {
    /** Runs a request; throws StripeApiError for Stripe's refusals. */
    dispatch(method: string, path: string, params: FormObject, request: EventRequest): object {
      for (const { route, pattern } of compiled) {
        const match = pattern.exec(path);
        if (!match || route.method !== method) continue;
        rejectUnknown(params, [...route.params, 'expand']);
        const expand = stringList(params, 'expand');
        const id = match[1] ? decodeURIComponent(match[1]) : '';
        const result = route.handle({ params, id, request });
        return structuredClone(expandFields(result, expand, lookup));
      }
      throw new StripeApiError(404, {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${method}: ${path}). The Stripe emulator serves only what billing uses.`,
      });
    },
  };
}
