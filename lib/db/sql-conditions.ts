/**
 * Collects AND-ed conditions whose values become numbered parameters in `params` (which the
 * caller then passes to the query), so filters are built without ever splicing a value into SQL.
 */
export function sqlConditions(params: unknown[]) {
  const conditions: string[] = [];
  return {
    /** Adds `sql(placeholder)` with `value` as its parameter. */
    add(sql: (placeholder: string) => string, value: unknown) {
      params.push(value);
      conditions.push(sql(`$${params.length}`));
    },
    /** The conditions joined by AND; `fallback` when there are none. */
    joined(fallback = 'TRUE'): string {
      return conditions.length ? conditions.join(' AND ') : fallback;
    },
  };
}
