import { countTokens } from '../../providers/token-count.js';
import type { ToolCall, ToolCallDelta } from '../../providers/types.js';

/**
 * The text and tool calls of a streamed reply, put together from its deltas: what a stream
 * delivered, and what it is charged for when the provider reported no usage.
 */
export function createReplyParts() {
  let text = '';
  const calls = new Map<number, ToolCall>();
  return {
    add(delta: { text: string; toolCalls: readonly ToolCallDelta[] }) {
      text += delta.text;
      for (const piece of delta.toolCalls) {
        const call = calls.get(piece.index) ?? { id: '', name: '', arguments: '' };
        if (piece.id) call.id = piece.id;
        if (piece.name) call.name = piece.name;
        call.arguments += piece.arguments;
        calls.set(piece.index, call);
      }
    },
    get text() {
      return text;
    },
    toolCalls(): ToolCall[] {
      return [...calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => ({ ...call }));
    },
    /** The output tokens of what was put together, by the tokenizer. */
    outputTokens(): number {
      let tokens = countTokens(text);
      for (const call of calls.values()) tokens += countTokens(call.name + call.arguments);
      return tokens;
    },
  };
}

export type ReplyParts = ReturnType<typeof createReplyParts>;
