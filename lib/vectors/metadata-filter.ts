import { badUserInput } from '../errors.js';
import type { MetadataFilter, MetadataScalar, VectorMetadata } from './vector-index.js';

/** A filter checked once: each field with the JSON forms of the values it accepts. */
export type CompiledFilter = ReadonlyArray<{ field: string; values: ReadonlySet<string> }>;

/** The most values one `in` list may hold. */
export const MAX_IN_LIST = 1000;

const isScalar = (value: unknown): value is MetadataScalar =>
  typeof value === 'string' ||
  typeof value === 'boolean' ||
  (typeof value === 'number' && Number.isFinite(value));

/** The key a scalar is posted under: its JSON, so 1 and "1" stay apart. */
export const scalarKey = (value: MetadataScalar): string => JSON.stringify(value);

/** Validates `filter` (BAD_USER_INPUT naming the bad field) and compiles it; empty for none. */
export function compileFilter(filter: MetadataFilter | undefined): CompiledFilter {
  if (filter === undefined) return [];
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    throw badUserInput('A metadata filter is an object of field: value or field: { in: [...] }.', {
      reason: 'INVALID_FILTER',
    });
  }
  return Object.entries(filter).map(([field, condition]) => {
    if (isScalar(condition)) return { field, values: new Set([scalarKey(condition)]) };
    const list = (condition as { in?: unknown } | null)?.in;
    const keys = Object.keys((condition as object | null) ?? {});
    if (
      !Array.isArray(list) ||
      keys.length !== 1 ||
      list.length === 0 ||
      list.length > MAX_IN_LIST ||
      !list.every(isScalar)
    ) {
      throw badUserInput(
        `The filter on "${field}" must be a string, number or boolean, or { in: [...] } with 1 to ${MAX_IN_LIST} of them.`,
        { reason: 'INVALID_FILTER', field },
      );
    }
    return { field, values: new Set(list.map(scalarKey)) };
  });
}

/** Whether `metadata` passes every condition of `filter`. */
export function matchesFilter(metadata: VectorMetadata, filter: CompiledFilter): boolean {
  for (const { field, values } of filter) {
    const value = metadata[field];
    if (!isScalar(value) || !values.has(scalarKey(value))) return false;
  }
  return true;
}

/**
 * Which items hold which top-level scalar metadata values: field → value → item keys. It is what
 * tells a filtered search how many items pass (so how much to over-fetch, or to scan exactly).
 */
export class MetadataPostings {
  private readonly fields = new Map<string, Map<string, Set<number>>>();

  add(key: number, metadata: VectorMetadata): void {
    for (const [field, value] of Object.entries(metadata)) {
      if (!isScalar(value)) continue;
      let byValue = this.fields.get(field);
      if (!byValue) this.fields.set(field, (byValue = new Map()));
      const valueKey = scalarKey(value);
      let keys = byValue.get(valueKey);
      if (!keys) byValue.set(valueKey, (keys = new Set()));
      keys.add(key);
    }
  }

  remove(key: number, metadata: VectorMetadata): void {
    for (const [field, value] of Object.entries(metadata)) {
      if (!isScalar(value)) continue;
      const byValue = this.fields.get(field);
      const valueKey = scalarKey(value);
      const keys = byValue?.get(valueKey);
      if (!byValue || !keys) continue;
      keys.delete(key);
      if (keys.size === 0) byValue.delete(valueKey);
      if (byValue.size === 0) this.fields.delete(field);
    }
  }

  /** How many items pass one condition (the value sets of one field are disjoint). */
  countMatching(condition: CompiledFilter[number]): number {
    const byValue = this.fields.get(condition.field);
    let total = 0;
    for (const value of condition.values) total += byValue?.get(value)?.size ?? 0;
    return total;
  }

  /** The keys passing one condition. */
  *keysMatching(condition: CompiledFilter[number]): Iterable<number> {
    const byValue = this.fields.get(condition.field);
    for (const value of condition.values) yield* byValue?.get(value) ?? [];
  }
}
