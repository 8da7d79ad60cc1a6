import { countTokens } from '../../providers/token-count.js';
import type { ToolCallDelta } from '../../providers/types.js';

/**
 * A single space between two non-space characters: the tokenizer's pre-split (o200k_base) always
 * cuts before it, so the text before it counts the same alone as within the whole.
 */
const WORD_BOUNDARY = /\S(?= \S)/g;

/**
 * A tail this long is counted and set aside even without a boundary (text with no spaces): the
 * count stays an estimate, and the work per piece stays bounded.
 */
const LONGEST_TAIL = 2_000;

/**
 * The running count of a growing text's tokens, as pieces are appended: the part before the last
 * word boundary is counted once and set aside, so each piece costs the tokenizer only the short
 * unsettled tail, never the whole text again. Counting each piece alone instead would count a
 * word's trailing space (`"one "`) as a token of its own, nearly doubling a word-streamed reply.
 */
function createTextCount() {
  let settled = 0;
  let tail = '';
  let tailTokens = 0;
  return {
    add(piece: string): number {
      const before = tail.length;
      tail += piece;
      let cut = 0;
      for (const match of tail.matchAll(WORD_BOUNDARY)) cut = match.index + 1;
      if (cut === 0 && tail.length > LONGEST_TAIL) cut = tail.length;
      if (cut > 0) {
        // Pieces that start with their space (" word", as OpenAI's and Anthropic's streams
        // come) settle exactly the previous tail, already counted: one tokenizer call a piece.
        settled += cut === before ? tailTokens : countTokens(tail.slice(0, cut));
        tail = tail.slice(cut);
      }
      tailTokens = countTokens(tail);
      return settled + tailTokens;
    },
  };
}

/**
 * The output tokens a stream has delivered so far, updated delta by delta (GenerationDelta's
 * `outputTokens`): its text and each tool call's name and arguments, counted as
 * `ReplyParts.outputTokens()` counts them at the end, to within a token or two. An estimate for
 * showing progress; what is charged is the provider's reported usage.
 */
export function createRunningTokenCount() {
  const text = createTextCount();
  const calls = new Map<number, ReturnType<typeof createTextCount>>();
  const counts = new Map<number | 'text', number>();
  let total = 0;
  const set = (key: number | 'text', count: number) => {
    total += count - (counts.get(key) ?? 0);
    counts.set(key, count);
  };
  const add = (delta: Delta): number => {
    if (delta.text !== '') set('text', text.add(delta.text));
    for (const piece of delta.toolCalls) {
      const call = calls.get(piece.index) ?? createTextCount();
      calls.set(piece.index, call);
      set(piece.index, call.add((piece.name ?? '') + piece.arguments));
    }
    return total;
  };
  const waiting: Array<Delta | undefined> = [];
  const totals: number[] = [];
  return {
    /** Adds a delta's pieces; returns the running total. */
    add,
    /**
     * Queues a delta; the returned function gives the running total through it, counting (in
     * order) only when first called. GraphQL calls it only for a client that selected
     * `outputTokens`, so streams read without it (the /v1 surface) never run the tokenizer.
     */
    defer(delta: Delta): () => number {
      const at = waiting.length;
      waiting.push(delta);
      return () => {
        while (totals.length <= at) {
          const next = totals.length;
          totals.push(add(waiting[next]!));
          waiting[next] = undefined;
        }
        return totals[at]!;
      };
    },
  };
}

type Delta = { text: string; toolCalls: readonly ToolCallDelta[] };
