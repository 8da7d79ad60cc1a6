import { BREAK, visit, type DocumentNode } from 'graphql';
import { badUserInput } from '../../lib/errors.js';
import { perDocument } from '../../lib/graphql/document-cache.js';

const NUL = '\u0000';

/** The path (e.g. `input.name`) of the first string holding a NUL byte in a variables value. */
function nulPathIn(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes(NUL) ? path : undefined;
  if (value === null || typeof value !== 'object' || depth > 64) return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes(NUL)) return path;
    const found = nulPathIn(
      item,
      Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`,
      depth + 1,
    );
    if (found) return found;
  }
  return undefined;
}

/** Whether some string literal of the document holds a NUL byte (once per parsed document). */
const documentHasNul = perDocument((document: DocumentNode): boolean => {
  let found = false;
  visit(document, {
    StringValue(node) {
      if (!node.value.includes(NUL)) return undefined;
      found = true;
      return BREAK;
    },
  });
  return found;
});

/**
 * Refuses an operation whose literals or variables carry a NUL byte (U+0000), with
 * BAD_USER_INPUT, before anything is planned. No text we keep may hold one (PostgreSQL refuses it
 * in text and jsonb alike, and it truncates C strings downstream), so the gateway, which every
 * client request passes, refuses it once for all (decision in docs/decisions.md).
 */
export function refuseNulBytes(
  document: DocumentNode,
  variables: Record<string, unknown> | null | undefined,
): void {
  for (const [name, value] of Object.entries(variables ?? {})) {
    const path = nulPathIn(value, `$${name}`);
    if (path) {
      throw badUserInput(`Variable ${path} holds a NUL byte (U+0000); text may not contain one.`);
    }
  }
  if (documentHasNul(document)) {
    throw badUserInput(
      'A string in the operation holds a NUL byte (U+0000); text may not contain one.',
    );
  }
}
