import type { StandaloneSubgraph } from '../lib/subgraph/standalone-subgraph.js';
// `npm run subgraph:new` adds each new subgraph's import above this line and its entry below.

/** The subgraphs that need only a database of their own: npm start and the test stack run them. */
export const STANDALONE_SUBGRAPHS: StandaloneSubgraph[] = [];
