import type { BadInputCase } from './cases.js';

/** What one case answered, and why it is an offence (undefined: a coded client error, fine). */
export interface Verdict {
  principal: string;
  kind: string;
  field: string;
  label: string;
  form: string;
  status: number;
  codes: string;
  offence?: string;
}

interface Body {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message?: string; extensions?: { code?: unknown } }>;
}

/**
 * A wrong value must come back as a coded client error: an HTTP status under 500, every error
 * with a code other than INTERNAL_SERVER_ERROR, no stack trace anywhere, and (for a mutation)
 * nothing done: the field is null.
 */
export function judge(
  principal: string,
  c: BadInputCase,
  answer: { status: number; text: string },
): Verdict {
  const verdict: Verdict = {
    principal,
    kind: c.kind,
    field: c.field,
    label: c.label.slice(0, 70),
    form: c.form,
    status: answer.status,
    codes: '',
  };
  let body: Body;
  try {
    body = JSON.parse(answer.text) as Body;
  } catch {
    return { ...verdict, offence: `not JSON: ${answer.text.slice(0, 80)}` };
  }
  const errors = body.errors ?? [];
  verdict.codes = [...new Set(errors.map((e) => String(e.extensions?.code)))].join(',');
  if (answer.status >= 500) return { ...verdict, offence: `HTTP ${answer.status}` };
  if (answer.text.includes('stacktrace')) return { ...verdict, offence: 'stack trace' };
  const fault = errors.find(
    (e) => typeof e.extensions?.code !== 'string' || e.extensions.code === 'INTERNAL_SERVER_ERROR',
  );
  if (fault) return { ...verdict, offence: `${fault.message ?? ''}`.slice(0, 80) };
  if (c.kind === 'mutation' && (errors.length === 0 || body.data?.[c.field] != null)) {
    return { ...verdict, offence: 'mutation accepted' };
  }
  return verdict;
}

/** Runs `work` over `items`, at most `concurrency` at a time, answers in order. */
export async function inPool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
