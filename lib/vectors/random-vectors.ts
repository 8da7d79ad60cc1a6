/**
 * Seeded random vectors for tests and the benchmark: the same seed gives the same data on every
 * machine, so a recall figure can be reproduced.
 */
export function createRandom(seed: number): () => number {
  // mulberry32: small, fast and good enough for test data.
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` vectors of `dimensions` with independent standard normal components, one flat array. */
export function gaussianVectors(random: () => number, count: number, dimensions: number) {
  const out = new Float32Array(count * dimensions);
  for (let i = 0; i < out.length; i += 2) {
    // Box-Muller: two normals from two uniforms (1 - u keeps the logarithm finite).
    const radius = Math.sqrt(-2 * Math.log(1 - random()));
    const angle = 2 * Math.PI * random();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < out.length) out[i + 1] = radius * Math.sin(angle);
  }
  return out;
}

/** Cosine similarity of two vectors of the same length. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return dot / Math.sqrt(na * nb);
}

/** The ids of the `k` most similar vectors to `query`, by exhaustive comparison. */
export function bruteForceTopK(
  query: ArrayLike<number>,
  items: readonly { id: string; vector: ArrayLike<number> }[],
  k: number,
): { id: string; score: number }[] {
  return items
    .map((item) => ({ id: item.id, score: cosine(query, item.vector) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}

/**
 * `count` vectors around `clusters` random centres (a Gaussian mixture, `spread` the noise's scale
 * against the centres'): closer to real embeddings, which gather by topic, than independent
 * Gaussians, on which every graph index degrades towards a full scan. Point i belongs to cluster
 * i % clusters.
 */
export function clusteredVectors(
  random: () => number,
  count: number,
  dimensions: number,
  clusters: number,
  spread = 0.5,
) {
  const centres = gaussianVectors(random, clusters, dimensions);
  const out = gaussianVectors(random, count, dimensions);
  for (let i = 0; i < count; i++) {
    const centre = (i % clusters) * dimensions;
    for (let d = 0; d < dimensions; d++) {
      const at = i * dimensions + d;
      out[at] = (centres[centre + d] as number) + spread * (out[at] as number);
    }
  }
  return out;
}
