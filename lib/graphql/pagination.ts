import { badUserInput } from '../errors.js';

/** @default 20 */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Validates `first` (0..100, default 20). */
export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badUserInput(`first must be between 0 and ${MAX_PAGE_SIZE}.`, { argument: 'first' });
  }
  return first;
}

/**
 * Cursors are opaque to clients: a tagged, base64url-encoded sort key. The tag stops a cursor of
 * one list being replayed against another.
 */
export function encodeCursor(kind: string, key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify([kind, ...key]), 'utf8').toString('base64url');
}

export function decodeCursor(kind: string, cursor: string | null | undefined): string[] | null {
  if (cursor === null || cursor === undefined) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed[0] === kind &&
      parsed.length > 1 &&
      parsed.every((part) => typeof part === 'string' || typeof part === 'number')
    ) {
      return parsed.slice(1).map(String);
    }
  } catch {
    // fall through to the coded error
  }
  throw badUserInput('The cursor is not valid for this list.', { argument: 'after' });
}

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/** Stores fetch `size + 1` rows; the extra one only tells whether a next page exists. */
export function toPage<T>(rows: T[], size: number, after: unknown): Page<T> {
  return {
    nodes: rows.slice(0, size),
    hasNextPage: rows.length > size,
    hasPreviousPage: after !== null && after !== undefined,
  };
}
