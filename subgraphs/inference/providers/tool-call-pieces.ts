import type { ToolCall, ToolCallDelta } from './types.js';

/**
 * Joins streamed tool-call pieces into whole calls, in index order: the id and name from the
 * pieces that carry them, the arguments concatenated in arrival order, exactly as sent.
 */
export function joinToolCallPieces(pieces: Iterable<ToolCallDelta>): ToolCall[] {
  const calls = new Map<number, ToolCall>();
  for (const piece of pieces) {
    const call = calls.get(piece.index) ?? { id: '', name: '', arguments: '' };
    if (piece.id) call.id = piece.id;
    if (piece.name) call.name = piece.name;
    call.arguments += piece.arguments;
    calls.set(piece.index, call);
  }
  return [...calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
}
