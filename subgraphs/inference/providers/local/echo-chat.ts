/**
 * The `echo-chat` model: not a language model but a small fixed algorithm, so demos and tests get
 * the same answer for the same input, offline.
 *
 * The reply is built from the last message whose role is `user` (system and assistant messages
 * only count towards input tokens):
 *
 *     Echo: <the message, verbatim>
 *     (<n> words; reversed: <its whitespace-separated words in reverse order, single-spaced>)
 *
 * A chat with no user message, or one that is only whitespace, gets `Echo: (nothing to echo)`.
 * Temperature is ignored: the reply depends on the messages alone.
 *
 * The reply is then cut to at most `maxTokens` tokens (see {@link truncateToTokens}); a cut reply
 * finishes with LENGTH, a whole one with STOP.
 */
import { countTokens } from '../token-count.js';
import type { ChatMessage, FinishReason } from '../types.js';

export const ECHO_CHAT_MODEL = 'echo-chat';

export interface EchoAnswer {
  text: string;
  finishReason: FinishReason;
}

/** The whole reply, before any cut for `maxTokens`. */
export function echoReply(messages: readonly ChatMessage[]): string {
  const lastUser = messages.findLast((message) => message.role === 'user');
  const words = lastUser?.content.split(/\s+/).filter((word) => word !== '') ?? [];
  if (lastUser === undefined || words.length === 0) {
    return 'Echo: (nothing to echo)';
  }
  const count = `${words.length} ${words.length === 1 ? 'word' : 'words'}`;
  return `Echo: ${lastUser.content}\n(${count}; reversed: ${words.reverse().join(' ')})`;
}

/** The reply as the model gives it: cut to `maxTokens`, with why it stopped. */
export function echoAnswer(messages: readonly ChatMessage[], maxTokens: number): EchoAnswer {
  const { text, truncated } = truncateToTokens(echoReply(messages), maxTokens);
  return { text, finishReason: truncated ? 'LENGTH' : 'STOP' };
}

/**
 * The longest prefix of `text`, cut between code points, that counts at most `maxTokens` tokens.
 *
 * It searches prefixes by counting rather than decoding a slice of the token ids: gpt-tokenizer's
 * `decode` shares one streaming TextDecoder across calls, so a slice that ends inside a multi-byte
 * character leaves bytes behind that corrupt the next decode anywhere in the process. BPE counts
 * are almost but not strictly monotone in prefix length, so the cut may fall a character or two
 * short of the true longest prefix; it never exceeds `maxTokens`.
 */
export function truncateToTokens(
  text: string,
  maxTokens: number,
): { text: string; truncated: boolean } {
  if (countTokens(text) <= maxTokens) {
    return { text, truncated: false };
  }
  // UTF-16 offsets of every code point boundary, so no cut splits a surrogate pair.
  const cuts: number[] = [0];
  for (const char of text) {
    cuts.push(cuts[cuts.length - 1] + char.length);
  }
  const fits = (k: number) => countTokens(text.slice(0, cuts[k])) <= maxTokens;
  // Invariant: prefix `lo` fits and prefix `hi` does not (the whole text does not, checked above).
  // Galloping up from ~4 characters a token keeps the counted prefixes near the answer's size.
  const last = cuts.length - 1;
  let lo = 0;
  let hi = Math.min(last, Math.max(1, maxTokens * 4));
  while (hi < last && fits(hi)) {
    lo = hi;
    hi = Math.min(last, hi * 2);
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (fits(mid)) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return { text: text.slice(0, cuts[lo]), truncated: true };
}

/**
 * The pieces a stream sends: one word each with the whitespace after it (leading whitespace is a
 * piece of its own); they join back into `text`.
 */
export function splitIntoDeltas(text: string): string[] {
  return text.split(/(?<=\s)(?=\S)/).filter((piece) => piece !== '');
}
