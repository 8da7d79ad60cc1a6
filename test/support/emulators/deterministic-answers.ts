/**
 * The deterministic rules the emulators answer by, exported so tests can compute what to expect:
 * a word is a token, the reply is streamed a word at a time, an embedding is a hash of its text.
 */
import { createHash } from 'node:crypto';

export const DEFAULT_REPLY = 'Hello from the provider emulator.';

/** Words are what the emulators count as tokens. */
export const countWords = (text: string): number => text.split(/\s+/).filter(Boolean).length;

/**
 * The usage an emulator reports for a chat when `usage` is not set: one input token per word of
 * every message (Anthropic's `system` included) and one output token per word of the reply, which
 * is cut at `maxTokens` words.
 */
export function expectedChatUsage(
  messages: { content: string }[],
  reply: string = DEFAULT_REPLY,
  maxTokens?: number,
) {
  return {
    inputTokens: messages.reduce((sum, m) => sum + countWords(m.content), 0),
    outputTokens: replyPieces(reply, maxTokens).pieces.length,
  };
}

/** The reply in streamed pieces (a word and its trailing space each), cut at `maxTokens` words. */
export function replyPieces(reply: string, maxTokens: number | undefined) {
  const all = reply.match(/\S+\s*/g) ?? [];
  const truncated = maxTokens !== undefined && all.length > maxTokens;
  return { pieces: truncated ? all.slice(0, maxTokens) : all, truncated };
}

/** The vector the emulator returns for `text`: a hash of it spread over [-1, 1). */
export function emulatorEmbedding(text: string, dimensions: number): number[] {
  return Array.from({ length: dimensions }, (_, i) => {
    const hash = createHash('sha256').update(`${i}:${text}`).digest();
    return hash.readUInt32BE(0) / 2 ** 31 - 1;
  });
}
