import fc from 'fast-check';
import { chunkDocument, type Chunk } from './chunking.js';

const sentence = (i: number) => `Sentence number ${i} says something about refunds and fees.`;
const paragraphs = (count: number, perParagraph: number) =>
  Array.from({ length: count }, (_, p) =>
    Array.from({ length: perParagraph }, (_, s) => sentence(p * perParagraph + s)).join(' '),
  ).join('\n\n');

/** Every non-space character of the document lies in some chunk. */
function covered(document: string, chunks: Chunk[]) {
  const seen = new Array<boolean>(document.length).fill(false);
  for (const c of chunks) for (let i = c.start; i < c.end; i += 1) seen[i] = true;
  return [...document].every((ch, i) => seen[i] || /\s/.test(ch));
}

describe('chunking', () => {
  it('keeps a short document whole, trimmed', () => {
    expect(chunkDocument('  Hello there.\n', { format: 'TEXT' })).toEqual([
      { index: 0, text: 'Hello there.', start: 2, end: 14, section: '' },
    ]);
    expect(chunkDocument(' \n ', { format: 'TEXT' })).toEqual([]);
  });

  it('cuts at paragraph breaks before sentences, with overlap that starts at a word', () => {
    const document = paragraphs(6, 5); // paragraphs of ~300 characters
    const chunks = chunkDocument(document, { format: 'TEXT', maxChars: 700, overlapChars: 120 });
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) {
      expect(c.text.length).toBeLessThanOrEqual(700);
      expect(document.slice(c.start, c.end)).toBe(c.text);
      expect(c.text).toMatch(/^\S/);
    }
    // Each chunk but the last ends at the end of a paragraph.
    for (const c of chunks.slice(0, -1)) expect(document.slice(c.end, c.end + 2)).toBe('\n\n');
    // Consecutive chunks overlap by at most the overlap, and by something.
    for (let i = 1; i < chunks.length; i += 1) {
      const shared = chunks[i - 1]!.end - chunks[i]!.start;
      expect(shared).toBeGreaterThan(0);
      expect(shared).toBeLessThanOrEqual(120);
    }
    expect(covered(document, chunks)).toBe(true);
  });

  it('cuts one long paragraph at sentence ends', () => {
    const document = paragraphs(1, 40);
    const chunks = chunkDocument(document, { format: 'TEXT', maxChars: 500, overlapChars: 100 });
    for (const c of chunks.slice(0, -1)) expect(c.text).toMatch(/\.$/);
  });

  it('cuts a word longer than a chunk where it must', () => {
    const document = 'x'.repeat(250);
    const chunks = chunkDocument(document, { format: 'TEXT', maxChars: 100, overlapChars: 10 });
    expect(chunks.map((c) => c.text.length)).toEqual([100, 100, 50]); // no word start to overlap from
    expect(covered(document, chunks)).toBe(true);
  });

  it('gives Markdown sections their heading trail and never spans two; fences are not cut at blank lines', () => {
    const document = [
      '# Guide',
      'Intro text.',
      '## Refunds',
      paragraphs(3, 4),
      '```',
      'code line one',
      '',
      'code line two',
      '```',
      '## Fees',
      'Fees are small.',
      '# Other',
      '### Deep',
      'Deep text.',
    ].join('\n');
    const chunks = chunkDocument(document, { format: 'MARKDOWN', maxChars: 400, overlapChars: 50 });
    expect(chunks[0]).toMatchObject({ section: 'Guide', text: '# Guide\nIntro text.' });
    expect(new Set(chunks.map((c) => c.section))).toEqual(
      new Set(['Guide', 'Guide > Refunds', 'Guide > Fees', 'Other', 'Other > Deep']),
    );
    const fees = chunks.find((c) => c.section === 'Guide > Fees')!;
    expect(fees.text).toBe('## Fees\nFees are small.');
    expect(chunks.some((c) => c.text.startsWith('code line two'))).toBe(false);
    expect(chunks.find((c) => c.section === 'Other > Deep')!.text).toBe('### Deep\nDeep text.');
  });

  it('holds for any text: bounded, exact offsets, everything covered, always progressing', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\n', '.', '#', 'é'), maxLength: 3_000 }),
        fc.integer({ min: 20, max: 400 }),
        fc.integer({ min: 0, max: 300 }),
        fc.constantFrom('TEXT' as const, 'MARKDOWN' as const),
        (document, maxChars, overlapChars, format) => {
          const chunks = chunkDocument(document, { format, maxChars, overlapChars });
          for (const [i, c] of chunks.entries()) {
            if (c.index !== i || c.text.length > maxChars) return false;
            if (document.slice(c.start, c.end) !== c.text) return false;
            if (i > 0 && c.start <= chunks[i - 1]!.start) return false;
          }
          return covered(document, chunks);
        },
      ),
      { numRuns: 300 },
    );
  });
});
