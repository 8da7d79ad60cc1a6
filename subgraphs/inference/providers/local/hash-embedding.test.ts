import fc from 'fast-check';
import { embeddingWords, fnv1a32, hashEmbedding } from './hash-embedding.js';

const cosine = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i], 0);
const norm = (v: number[]) => Math.sqrt(cosine(v, v));
const embed = (text: string) => hashEmbedding(text, 256);

/** The textbook definition, over TextEncoder's bytes, to check the inline UTF-8 encoding. */
function referenceFnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash = Math.imul(hash ^ byte, 0x01000193);
  }
  return hash >>> 0;
}

describe('fnv1a32', () => {
  it('matches the published FNV-1a 32-bit test vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('hashes the UTF-8 bytes of any well-formed text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(fnv1a32(text)).toBe(referenceFnv1a32(text));
      }),
    );
    expect(fnv1a32('é🦄')).toBe(referenceFnv1a32('é🦄'));
  });

  it('hashes a slice, and continues from a seed as if the texts were joined', () => {
    expect(fnv1a32('<cat>', 1, 4)).toBe(fnv1a32('cat'));
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        expect(fnv1a32(b, 0, b.length, fnv1a32(a))).toBe(fnv1a32(a + b));
      }),
    );
  });
});

describe('embeddingWords', () => {
  it('normalizes with NFKC and lower case, and splits on whitespace and punctuation', () => {
    expect(embeddingWords("Don't ＳＨＯＵＴ, ﬁle it: c++ costs $100 🦄!")).toEqual([
      'don',
      't',
      'shout',
      'file',
      'it',
      'c++',
      'costs',
      '$100',
      '🦄',
    ]);
  });
});

describe('hashEmbedding', () => {
  it('gives unit vectors of the requested length', () => {
    for (const text of ['the cat sat on the mat', 'x', 'Ünïcödé and emoji 🦄']) {
      const vector = embed(text);
      expect(vector).toHaveLength(256);
      expect(norm(vector)).toBeCloseTo(1, 12);
    }
    expect(hashEmbedding('another length', 17)).toHaveLength(17);
    expect(norm(hashEmbedding('another length', 17))).toBeCloseTo(1, 12);
  });

  it('is deterministic', () => {
    expect(embed('the same text twice')).toEqual(embed('the same text twice'));
  });

  it('gives similar texts similar vectors and unrelated texts distant ones', () => {
    const cat = embed('the cat sat on the mat');
    const similar = cosine(cat, embed('the cat sat on a mat'));
    const unrelated = cosine(cat, embed('quarterly revenue grew by eight percent'));
    expect(similar).toBeGreaterThan(0.7);
    expect(Math.abs(unrelated)).toBeLessThan(0.2);
    expect(similar - unrelated).toBeGreaterThan(0.5);
  });

  it('ignores case, punctuation and Unicode compatibility forms', () => {
    expect(embed('The CAT sat... on the ﬁle!')).toEqual(embed('the cat sat on the file'));
  });

  it('gives word order some weight through word pairs', () => {
    const a = embed('dog bites man');
    expect(cosine(a, embed('man bites dog'))).toBeLessThan(cosine(a, embed('dog bites man')) - 0.1);
  });

  it('gives a text without words the zero vector', () => {
    for (const text of ['', '   ', '?!… —']) {
      expect(embed(text)).toEqual(new Array(256).fill(0));
    }
  });

  it('spreads features over the buckets with both signs', () => {
    const text = Array.from({ length: 400 }, (_, i) => `token${i}`).join(' ');
    const vector = embed(text);
    expect(vector.filter((x) => x > 0).length).toBeGreaterThan(90);
    expect(vector.filter((x) => x < 0).length).toBeGreaterThan(90);
  });
});
