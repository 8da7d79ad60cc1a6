/** At most this many ids are suggested: a hint, not a search. */
const MAX_SUGGESTIONS = 3;

/** Levenshtein distance, stopping early once it exceeds `max` (only small distances matter). */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        substitution,
      );
    }
    if (Math.min(...current) > max) return max + 1;
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * The known names a caller may have meant by `name`: first those whose part after the provider
 * (`openai/gpt-4o-mini` for a bare `gpt-4o-mini`) or whose whole id matches it ignoring case, then
 * close spellings (one edit in five characters, at least one). Closest first, then by name.
 */
export function suggestNames(name: string, known: readonly string[]): string[] {
  const wanted = name.trim().toLowerCase();
  if (!wanted) return [];
  const max = Math.max(1, Math.floor(wanted.length / 5));
  const scored = known.flatMap((candidate) => {
    const lower = candidate.toLowerCase();
    const bare = lower.slice(lower.indexOf('/') + 1);
    if (lower === name) return [];
    const score = Math.min(distance(wanted, lower, max), distance(wanted, bare, max));
    return score <= max ? [{ candidate, score }] : [];
  });
  return scored
    .sort((a, b) => a.score - b.score || a.candidate.localeCompare(b.candidate))
    .slice(0, MAX_SUGGESTIONS)
    .map((s) => s.candidate);
}
