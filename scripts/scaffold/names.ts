/** The names one new subgraph goes by, all derived from its kebab-case name. */
export interface SubgraphNames {
  /** `feature-flags`: folder, supergraph name, service and Kubernetes name. */
  name: string;
  /** `FeatureFlags`: types (`FeatureFlagsInfo`, `FeatureFlagsContext`). */
  pascal: string;
  /** `featureFlags`: values and fields (`featureFlagsInfo`). */
  camel: string;
  /** `FEATURE_FLAGS`: constants and its URL variable (`FEATURE_FLAGS_URL`). */
  constant: string;
  /** `feature_flags`: its PostgreSQL schema. */
  snake: string;
  /** Its own port, the next after the supergraph's highest. */
  port: number;
}

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const MAX_LENGTH = 30;

/** Folders and services a subgraph may not be named after. */
const RESERVED = new Set([
  'gateway',
  'supergraph',
  'subgraph',
  'subgraphs',
  'schema',
  'generated',
  'postgres',
  'redis',
  'lib',
  'test',
  'dev',
  'deploy',
  'scripts',
  'bench',
  'docs',
]);

/** `name`'s derived names, or the reason it cannot name a subgraph. */
export function subgraphNames(name: string, port: number): SubgraphNames {
  if (!KEBAB.test(name)) {
    throw new Error(
      `"${name}" is not kebab-case (lower-case words joined by -, e.g. feature-flags).`,
    );
  }
  if (name.length > MAX_LENGTH)
    throw new Error(`"${name}" is longer than ${MAX_LENGTH} characters.`);
  if (RESERVED.has(name)) throw new Error(`"${name}" is reserved.`);
  const words = name.split('-');
  const cap = (w: string) => w[0]!.toUpperCase() + w.slice(1);
  const pascal = words.map(cap).join('');
  return {
    name,
    pascal,
    camel: pascal[0]!.toLowerCase() + pascal.slice(1),
    constant: words.join('_').toUpperCase(),
    snake: words.join('_'),
    port,
  };
}
