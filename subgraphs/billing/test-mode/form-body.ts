/**
 * Stripe's request encoding: `application/x-www-form-urlencoded` bodies (and GET query strings)
 * whose keys nest with brackets, as Rack and qs write them: `metadata[team]=t1`,
 * `line_items[0][price_data][currency]=usd`, `expand[]=payment_intent`. The SDK writes indexed
 * arrays (`expand[0]=x`); other clients (curl, the Stripe CLI) write `expand[]=x`; both parse.
 */

/** A parsed parameter: a string, a list (from `[]`), or an object (from `[key]` or `[0]`). */
export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

/** The body or query string does not follow the bracket grammar (Stripe answers 400). */
export class FormBodyError extends Error {
  constructor(
    message: string,
    readonly param: string,
  ) {
    super(message);
  }
}

// A key such as `__proto__` must stay plain data, never reach an object's prototype.
const newObject = (): FormObject => Object.create(null) as FormObject;

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new FormBodyError(`Invalid percent-encoding in "${text}".`, text);
  }
}

/** Splits `a[b][][c]` into `['a', 'b', '', 'c']`; '' is a list append. */
function keyPath(key: string): string[] {
  const open = key.indexOf('[');
  if (open === -1) return [key];
  const path = [key.slice(0, open)];
  const rest = key.slice(open);
  const segment = /\[([^[\]]*)\]/gy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = segment.exec(rest)) !== null) {
    path.push(match[1]);
    consumed = segment.lastIndex;
  }
  if (consumed !== rest.length || path[0] === '') {
    throw new FormBodyError(`Invalid parameter name "${key}".`, key);
  }
  return path;
}

function assign(root: FormObject, key: string, value: string): void {
  const path = keyPath(key);
  let container: FormObject | FormValue[] = root;
  for (let i = 0; i < path.length; i++) {
    const last = i === path.length - 1;
    const segment = path[i];
    if (Array.isArray(container)) {
      if (segment !== '') throw new FormBodyError(`Mixed list and object at "${key}".`, key);
      if (last) container.push(value);
      else {
        const next = path[i + 1] === '' ? [] : newObject();
        container.push(next);
        container = next;
      }
      continue;
    }
    if (segment === '') throw new FormBodyError(`Mixed list and object at "${key}".`, key);
    const existing: FormValue | undefined = container[segment];
    if (last) {
      if (existing !== undefined && typeof existing !== 'string') {
        throw new FormBodyError(`Parameter "${key}" is given both as a value and a hash.`, key);
      }
      container[segment] = value;
      continue;
    }
    const wantList = path[i + 1] === '';
    if (existing === undefined) {
      const next = wantList ? [] : newObject();
      container[segment] = next;
      container = next;
    } else if (typeof existing === 'string' || Array.isArray(existing) !== wantList) {
      throw new FormBodyError(`Parameter "${key}" conflicts with an earlier one.`, key);
    } else {
      container = existing;
    }
  }
}

/** Parses a form body or query string (without the leading `?`) into nested parameters. */
export function parseFormBody(text: string): FormObject {
  const root = newObject();
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const key = decode(equals === -1 ? pair : pair.slice(0, equals));
    const value = equals === -1 ? '' : decode(pair.slice(equals + 1));
    assign(root, key, value);
  }
  return root;
}

/**
 * A list parameter as written either way: `x[]=a` (a list) or `x[0]=a` (an object with index
 * keys, read in index order).
 */
export function asList(value: FormValue | undefined): FormValue[] | undefined {
  if (value === undefined || typeof value === 'string') return undefined;
  if (Array.isArray(value)) return value;
  const keys = Object.keys(value);
  if (!keys.every((key) => /^\d+$/.test(key))) return undefined;
  return keys.sort((a, b) => Number(a) - Number(b)).map((key) => value[key]);
}
