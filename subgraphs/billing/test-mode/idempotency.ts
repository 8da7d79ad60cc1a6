/**
 * Stripe's `Idempotency-Key` on POSTs: the first answer under a key is saved and replayed to any
 * retry with the same endpoint and parameters; the same key with another endpoint or other
 * parameters is refused (400 `idempotency_error`). Keys are scoped to the API key. As at Stripe,
 * a request refused before it ran (a parameter error) saves nothing, so a fixed retry can reuse
 * its key; what ran (a success, a card decline) is saved.
 */
import type { FormObject, FormValue } from './form-body.js';
import { StripeApiError } from './request-params.js';

export interface SavedResponse {
  status: number;
  body: unknown;
}

interface Entry extends SavedResponse {
  endpoint: string;
  params: string;
}

/** Parameters in a canonical text: the same request sent with keys in another order matches. */
function canonical(value: FormValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(',')}}`;
}

export type IdempotencyCache = ReturnType<typeof createIdempotencyCache>;

export function createIdempotencyCache() {
  const entries = new Map<string, Entry>();
  const scoped = (apiKey: string, key: string) => `${apiKey}\u0000${key}`;

  return {
    /** The saved answer to replay, undefined for a new key; throws on a key reused differently. */
    lookup(apiKey: string, key: string, endpoint: string, params: FormObject) {
      const entry = entries.get(scoped(apiKey, key));
      if (!entry) return undefined;
      if (entry.endpoint !== endpoint) {
        throw new StripeApiError(400, {
          type: 'idempotency_error',
          message:
            `Keys for idempotent requests can only be used for the same endpoint they were ` +
            `first used for ('${entry.endpoint}' vs '${endpoint}'). Try using a key other than ` +
            `'${key}' if you meant to execute a different request.`,
        });
      }
      if (entry.params !== canonical(params)) {
        throw new StripeApiError(400, {
          type: 'idempotency_error',
          message:
            `Keys for idempotent requests can only be used with the same parameters they were ` +
            `first used with. Try using a key other than '${key}' if you meant to execute a ` +
            `different request.`,
        });
      }
      return { status: entry.status, body: entry.body } satisfies SavedResponse;
    },

    /** Saves an answer that came from running the request (2xx, or a 402 decline). */
    save(apiKey: string, key: string, endpoint: string, params: FormObject, saved: SavedResponse) {
      if (saved.status >= 300 && saved.status !== 402) return;
      entries.set(scoped(apiKey, key), { ...saved, endpoint, params: canonical(params) });
    },

    clear(): void {
      entries.clear();
    },
  };
}
