/**
 * Stripe's `expand[]`: a field holding an object id is replaced by the object (`payment_intent`,
 * `latest_charge`, `customer`, ...), dotted paths expand inside it (`payment_intent.latest_charge`),
 * and on lists the paths start with `data.`. A path to a field that holds no id is refused, as
 * Stripe refuses it, so billing cannot come to rely on an expansion that would fail for real.
 */
import { invalidRequest } from './request-params.js';

/** Finds any stored object by id (the id's prefix says which store). */
export type ObjectLookup = (id: string) => object | undefined;

function expandPath(
  value: Record<string, unknown>,
  path: string[],
  fullPath: string,
  lookup: ObjectLookup,
): Record<string, unknown> {
  const [field, ...rest] = path;
  let target = value[field];
  if (typeof target === 'string') {
    const found = lookup(target);
    if (!found) throw invalidRequest(`This property cannot be expanded (${fullPath}).`, 'expand');
    target = structuredClone(found);
  } else if (target === null) {
    return value;
  } else if (typeof target !== 'object' || rest.length === 0) {
    throw invalidRequest(`This property cannot be expanded (${fullPath}).`, 'expand');
  }
  const expanded = rest.length
    ? expandPath(target as Record<string, unknown>, rest, fullPath, lookup)
    : target;
  return { ...value, [field]: expanded };
}

/** A copy of `object` with each of `paths` expanded; the stored object is never changed. */
export function expandFields<T extends object>(
  object: T,
  paths: string[],
  lookup: ObjectLookup,
): T {
  let result = object as unknown as Record<string, unknown>;
  for (const path of paths) {
    const parts = path.split('.');
    if (parts.length > 4) throw invalidRequest('You cannot expand more than 4 levels.', 'expand');
    if (parts[0] === 'data' && Array.isArray(result.data)) {
      const data = (result.data as Record<string, unknown>[]).map((item) =>
        expandPath(item, parts.slice(1), path, lookup),
      );
      result = { ...result, data };
    } else {
      result = expandPath(result, parts, path, lookup);
    }
  }
  return result as unknown as T;
}
