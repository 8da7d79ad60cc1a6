import jsonata from 'jsonata';
import { badUserInput } from '../../../../lib/errors.js';

/*
 * JSONata for flows: safe (no code, network or files: JSONata has none), bounded in time and
 * depth, and deterministic: $now, $millis, $random and $eval are not available, so a run that
 * resumes after a crash computes what the first one would have.
 */

export interface ExpressionLimits {
  /** Wall time one evaluation may take. @default 100 */
  timeoutMs: number;
  /** Nested evaluation depth (deep recursion). @default 200 */
  maxDepth: number;
}

export const DEFAULT_EXPRESSION_LIMITS: ExpressionLimits = { timeoutMs: 100, maxDepth: 200 };

const ENTRY = Symbol.for('jsonata.__evaluate_entry');
const EXIT = Symbol.for('jsonata.__evaluate_exit');

const unavailable = (name: string) => () => {
  throw {
    code: 'FLOW',
    message: `$${name}() is not available in flows (runs must repeat exactly).`,
  };
};
const REMOVED = Object.fromEntries(
  ['now', 'millis', 'random', 'eval'].map((name) => [name, unavailable(name)]),
);

/** Compiles `text`; throws JSONata's error (with `position`) when it does not parse. */
export function compileExpression(text: string) {
  return jsonata(text);
}

/** Names of the steps an expression reads as `steps.<name>` (or `steps."<name>"`). */
export function referencedSteps(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(
    /(?<![\w$.])steps\s*\.\s*(?:"([^"]+)"|`([^`]+)`|([A-Za-z_]\w*))/g,
  )) {
    names.add((match[1] ?? match[2] ?? match[3])!);
  }
  return [...names];
}

/** What an expression sees. */
export interface ExpressionScope {
  inputs: unknown;
  steps: Record<string, unknown>;
  item?: unknown;
  index?: number;
}

/**
 * The value of `text` in `scope`, as plain JSON (JSONata's sequences become arrays; a missing
 * value is `null`). Errors (syntax, type, timeout) are BAD_USER_INPUT naming `where`.
 */
export async function evaluateExpression(
  text: string,
  scope: ExpressionScope,
  where: string,
  limits: ExpressionLimits = DEFAULT_EXPRESSION_LIMITS,
): Promise<unknown> {
  const fail = (message: string) =>
    badUserInput(`The expression at ${where} failed: ${message}`, {
      path: where,
      expression: text,
    });
  let expression: ReturnType<typeof jsonata>;
  try {
    // Compiled per evaluation: an instance keeps its clock and hooks, and map iterations run at once.
    expression = compileExpression(text);
  } catch (error) {
    throw fail((error as Error).message);
  }
  const deadline = Date.now() + limits.timeoutMs;
  let depth = 0;
  expression.assign(ENTRY as unknown as string, () => {
    depth += 1;
    if (depth > limits.maxDepth) throw { code: 'FLOW', message: `deeper than ${limits.maxDepth}` };
    if (Date.now() > deadline)
      throw { code: 'FLOW', message: `took longer than ${limits.timeoutMs} ms` };
  });
  expression.assign(EXIT as unknown as string, () => {
    depth -= 1;
  });
  try {
    const value = await expression.evaluate(scope, REMOVED);
    return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as unknown);
  } catch (error) {
    throw fail((error as { message?: string }).message ?? String(error));
  }
}
