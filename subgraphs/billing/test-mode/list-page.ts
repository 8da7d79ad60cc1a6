/**
 * Stripe's list endpoints: newest first, `limit` (1–100, default 10), cursors `starting_after` /
 * `ending_before` (an object id), `created` as an exact value or `created[gt|gte|lt|lte]`, and a
 * page `{ object: 'list', data, has_more, url }`. The SDK's auto-pagination asks for the next page
 * with `starting_after` = the last id while `has_more` is true, so these must agree exactly.
 */
import type { FormObject } from './form-body.js';
import type { ListObject } from './emulator-objects.js';
import {
  invalidRequest,
  optionalInteger,
  optionalObject,
  optionalString,
  resourceMissing,
} from './request-params.js';

interface Listable {
  id: string;
  created: number;
}

/** Keeps the items whose `created` passes the request's `created` filter. */
function createdFilter(params: FormObject): (created: number) => boolean {
  const exact = params.created;
  if (typeof exact === 'string') {
    const at = optionalInteger(params, 'created') as number;
    return (created) => created === at;
  }
  const bounds = optionalObject(params, 'created');
  if (!bounds) return () => true;
  const bound = (name: string) => optionalInteger(bounds, name, `created[${name}]`);
  const [gt, gte, lt, lte] = [bound('gt'), bound('gte'), bound('lt'), bound('lte')];
  return (created) =>
    (gt === undefined || created > gt) &&
    (gte === undefined || created >= gte) &&
    (lt === undefined || created < lt) &&
    (lte === undefined || created <= lte);
}

/**
 * One page of `items` (given oldest first, as they were created) after the request's filters.
 * `objectName` names the cursor's object in the 404 for an unknown cursor.
 */
export function listPage<T extends Listable>(
  items: Iterable<T>,
  params: FormObject,
  url: string,
  objectName: string,
  matches: (item: T) => boolean = () => true,
): ListObject<T> {
  const limit = optionalInteger(params, 'limit') ?? 10;
  if (limit < 1 || limit > 100) {
    throw invalidRequest('This value must be between 1 and 100 (it is the page size).', 'limit');
  }
  const inRange = createdFilter(params);
  // Newest first; objects created in the same second keep their creation order reversed.
  const all = [...items].reverse();
  const after = optionalString(params, 'starting_after');
  const before = optionalString(params, 'ending_before');
  let start = 0;
  let end = all.length;
  if (after !== undefined) {
    const at = all.findIndex((item) => item.id === after);
    if (at === -1) throw resourceMissing(objectName, after, 'starting_after');
    start = at + 1;
  } else if (before !== undefined) {
    const at = all.findIndex((item) => item.id === before);
    if (at === -1) throw resourceMissing(objectName, before, 'ending_before');
    end = at;
  }
  const window = all.slice(start, end).filter((item) => inRange(item.created) && matches(item));
  // ending_before pages backwards: the `limit` items just before the cursor.
  const data =
    before !== undefined && after === undefined ? window.slice(-limit) : window.slice(0, limit);
  return { object: 'list', data, has_more: window.length > limit, url };
}
