/**
 * The `hash-embed` model: feature hashing ("the hashing trick"), not a learned embedding. Texts
 * that share words, word pairs and word fragments get similar vectors; meaning is not captured.
 *
 * 1. Normalize: Unicode NFKC, then lower case.
 * 2. Words: maximal runs of characters that are neither whitespace nor punctuation
 *    (so `don't` is `don` and `t`, while `c++`, `$100` and emoji stay words).
 * 3. Features, each with a weight: every word (1), every pair of adjacent words (1), and every
 *    character 3-gram of each word wrapped in boundary markers, `<cat>` giving `<ca`, `cat`, `at>`
 *    ({@link CHAR_GRAM_WEIGHT} each, so a word's fragments together outweigh the word itself but a
 *    long word does not drown the rest). Each kind has its own prefix so they never coincide.
 * 4. Each feature is hashed (FNV-1a 32-bit over its UTF-8 bytes, then MurmurHash3's finalizer):
 *    one bit picks the sign (+1 or -1), the remaining bits the bucket among `dimensions`. Signed
 *    hashing makes collisions cancel out on average instead of piling up.
 * 5. The sums are scaled to unit length (L2). A text with no words (empty, or only whitespace and
 *    punctuation) gets the zero vector: it has no direction, and it is similar to nothing.
 */

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Word pairs count as much as words; see the file comment for why fragments weigh less. */
export const CHAR_GRAM_WEIGHT = 0.5;
const CHAR_GRAM_LENGTH = 3;

// The hashes of the kind prefixes, continued by the feature's text: `w:cat`, `b:the cat`, `c:<ca`.
const WORD_SEED = fnv1a32('w:');
const PAIR_SEED = fnv1a32('b:');
const GRAM_SEED = fnv1a32('c:');

/**
 * FNV-1a, 32-bit, over the UTF-8 encoding of `text.slice(start, end)` (cut between code points),
 * encoded inline. Passing a previous result as `seed` continues it, so a feature made of several
 * strings is hashed without building it: a batch of 128 texts of 2,000 characters has ~200,000
 * features, and building each as a string made embedding it 4-5x slower (~58 ms against ~13 ms).
 */
export function fnv1a32(
  text: string,
  start = 0,
  end = text.length,
  seed: number = FNV_OFFSET_BASIS,
): number {
  let hash = seed;
  for (let i = start; i < end; i++) {
    const code = text.codePointAt(i)!;
    if (code < 0x80) {
      hash = fnvStep(hash, code);
    } else if (code < 0x800) {
      hash = fnvStep(fnvStep(hash, 0xc0 | (code >> 6)), 0x80 | (code & 0x3f));
    } else if (code < 0x10000) {
      hash = fnvStep(hash, 0xe0 | (code >> 12));
      hash = fnvStep(fnvStep(hash, 0x80 | ((code >> 6) & 0x3f)), 0x80 | (code & 0x3f));
    } else {
      hash = fnvStep(fnvStep(hash, 0xf0 | (code >> 18)), 0x80 | ((code >> 12) & 0x3f));
      hash = fnvStep(fnvStep(hash, 0x80 | ((code >> 6) & 0x3f)), 0x80 | (code & 0x3f));
      i++; // the low surrogate
    }
  }
  return hash >>> 0;
}

// A pure step rather than a closure that assigns `hash`: that closure cost ~200 ns a call.
function fnvStep(hash: number, byte: number): number {
  return Math.imul(hash ^ byte, FNV_PRIME);
}

/**
 * MurmurHash3's fmix32. FNV-1a's low bits are weak: the low k bits of its result depend only on
 * the low k bits of each byte, so `hash % 256` alone would be an 8-bit hash. Mixing spreads every
 * input bit over the whole word before we take the bucket and the sign from it.
 */
function fmix32(hash: number): number {
  let h = hash;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The words of `text`, normalized (steps 1 and 2 of the file comment). */
export function embeddingWords(text: string): string[] {
  return (
    text
      .normalize('NFKC')
      .toLowerCase()
      .match(/[^\s\p{P}]+/gu) ?? []
  );
}

/** The L2-normalized hashed feature vector of `text`, `dimensions` long. */
export function hashEmbedding(text: string, dimensions: number): number[] {
  const vector = new Float64Array(dimensions);
  const add = (fnvHash: number, weight: number) => {
    const hash = fmix32(fnvHash);
    // Bit 0 picks the sign and the other 31 bits the bucket, so the two are independent for any
    // number of dimensions.
    vector[(hash >>> 1) % dimensions] += hash & 1 ? weight : -weight;
  };

  const words = embeddingWords(text);
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    add(fnv1a32(word, 0, word.length, WORD_SEED), 1);
    if (i > 0) {
      const previous = words[i - 1];
      const pair = fnv1a32(' ', 0, 1, fnv1a32(previous, 0, previous.length, PAIR_SEED));
      add(fnv1a32(word, 0, word.length, pair), 1);
    }
    // Grams are cut at code point boundaries (UTF-16 offsets), so an emoji is one character.
    const marked = `<${word}>`;
    const offsets: number[] = [];
    for (let j = 0; j < marked.length; j += marked.codePointAt(j)! > 0xffff ? 2 : 1) {
      offsets.push(j);
    }
    offsets.push(marked.length);
    for (let j = 0; j + CHAR_GRAM_LENGTH < offsets.length; j++) {
      add(fnv1a32(marked, offsets[j], offsets[j + CHAR_GRAM_LENGTH], GRAM_SEED), CHAR_GRAM_WEIGHT);
    }
  }

  let squares = 0;
  for (const value of vector) {
    squares += value * value;
  }
  const norm = Math.sqrt(squares);
  return Array.from(vector, (value) => (norm === 0 ? 0 : value / norm));
}
