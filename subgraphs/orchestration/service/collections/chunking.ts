/**
 * How a document becomes chunks to embed (issue 17), deterministically, by character offsets
 * into the document as given:
 *
 * 1. Sections. Markdown is cut at its headings (`#` to `######` at a line's start, outside code
 *    fences); each section carries its heading trail (`Guide > Refunds`). A chunk never spans two
 *    sections. Plain text is one section.
 * 2. Cuts. From a chunk's start, the chunk ends at the section's end if that is within `maxChars`;
 *    otherwise at the best boundary in the second half of the window: a blank line (paragraph)
 *    before a line break, before a sentence's end, before any whitespace; the latest of the best
 *    kind wins. A window with no boundary at all (one long word) is cut at `maxChars`. Code
 *    fences are never cut at a blank line inside them.
 * 3. Overlap. The next chunk starts `overlapChars` before the cut, moved forward to the next word
 *    start, so a sentence cut in two is whole in one of the chunks; it always moves on by at
 *    least half a window.
 * 4. Whitespace at a chunk's ends is trimmed (offsets follow the trimmed text); empty chunks are
 *    dropped.
 */

export type DocumentFormat = 'TEXT' | 'MARKDOWN';

export interface ChunkingOptions {
  format: DocumentFormat;
  /** Characters in a chunk, at most. @default 1000 */
  maxChars?: number;
  /** Characters a chunk repeats from the end of the one before, at most. @default 150 */
  overlapChars?: number;
}

export interface Chunk {
  /** 0, 1, 2… in document order. */
  index: number;
  text: string;
  /** Offsets of `text` in the document: `document.slice(start, end) === text`. */
  start: number;
  end: number;
  /** The heading trail of its Markdown section; empty for plain text. */
  section: string;
}

export const DEFAULT_MAX_CHARS = 1_000;
export const DEFAULT_OVERLAP_CHARS = 150;

interface Section {
  start: number;
  end: number;
  trail: string;
}

const FENCE = /^(```|~~~)/;
const HEADING = /^(#{1,6})[ \t]+(.+?)[ \t#]*$/;

/** Markdown's sections by heading, and the code-fence ranges (where no paragraph cut goes). */
function markdownSections(document: string): {
  sections: Section[];
  fences: Array<[number, number]>;
} {
  const sections: Section[] = [];
  const fences: Array<[number, number]> = [];
  const trail: string[] = [];
  let sectionStart = 0;
  let currentTrail = '';
  let fenceStart: number | undefined;
  let offset = 0;
  for (const line of document.split('\n')) {
    const lineStart = offset;
    offset += line.length + 1;
    if (FENCE.test(line.trimStart())) {
      if (fenceStart === undefined) fenceStart = lineStart;
      else {
        fences.push([fenceStart, Math.min(offset, document.length)]);
        fenceStart = undefined;
      }
      continue;
    }
    const heading = fenceStart === undefined ? HEADING.exec(line) : null;
    if (!heading) continue;
    if (lineStart > sectionStart)
      sections.push({ start: sectionStart, end: lineStart, trail: currentTrail });
    const level = heading[1]!.length;
    trail.length = Math.min(trail.length, level - 1);
    trail[level - 1] = heading[2]!;
    currentTrail = trail.filter(Boolean).join(' > ');
    sectionStart = lineStart;
  }
  if (fenceStart !== undefined) fences.push([fenceStart, document.length]);
  if (document.length > sectionStart) {
    sections.push({ start: sectionStart, end: document.length, trail: currentTrail });
  }
  return { sections, fences };
}

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/** How good a cut right before `i` is: 3 paragraph, 2 line, 1 sentence, 0 word, -1 none. */
function boundaryKind(document: string, i: number, inFence: (i: number) => boolean): number {
  const before = document[i - 1];
  if (!isSpace(document[i]) && !isSpace(before)) return -1;
  if (
    before === '\n' &&
    /\n[ \t]*$/.test(document.slice(Math.max(0, i - 64), i - 1)) &&
    !inFence(i)
  ) {
    return 3;
  }
  if (before === '\n') return 2;
  if (isSpace(document[i]) && /[.!?]["')\]]?$/.test(document.slice(Math.max(0, i - 3), i)))
    return 1;
  return isSpace(before) ? 0 : -1;
}

/** The document's chunks (see the module comment for the algorithm). */
export function chunkDocument(document: string, options: ChunkingOptions): Chunk[] {
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  const overlap = Math.min(options.overlapChars ?? DEFAULT_OVERLAP_CHARS, Math.floor(maxChars / 2));
  if (!Number.isInteger(maxChars) || maxChars < 20)
    throw new RangeError('maxChars must be an integer of at least 20');
  if (!Number.isInteger(overlap) || overlap < 0)
    throw new RangeError('overlapChars must be a non-negative integer');
  const { sections, fences } =
    options.format === 'MARKDOWN'
      ? markdownSections(document)
      : { sections: [{ start: 0, end: document.length, trail: '' }], fences: [] };
  const inFence = (i: number) => fences.some(([a, b]) => i > a && i < b);
  const chunks: Chunk[] = [];
  const emit = (start: number, end: number, section: string) => {
    while (start < end && isSpace(document[start])) start += 1;
    while (end > start && isSpace(document[end - 1])) end -= 1;
    if (end > start) {
      chunks.push({ index: chunks.length, text: document.slice(start, end), start, end, section });
    }
  };
  for (const section of sections) {
    let start = section.start;
    while (start < section.end) {
      if (section.end - start <= maxChars) {
        emit(start, section.end, section.trail);
        break;
      }
      const limit = start + maxChars;
      let cut = limit;
      let best = -1;
      for (let i = limit; i > start + maxChars / 2; i -= 1) {
        const kind = boundaryKind(document, i, inFence);
        if (kind > best) {
          best = kind;
          cut = i;
          if (kind === 3) break;
        }
      }
      emit(start, cut, section.trail);
      let next = Math.max(cut - overlap, start + Math.ceil(maxChars / 2));
      while (next < cut && !(isSpace(document[next - 1]) && !isSpace(document[next]))) next += 1;
      start = next;
    }
  }
  return chunks;
}
