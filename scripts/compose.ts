import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  SUPERGRAPH_FILE,
  composeSupergraph,
  readSubgraphs,
} from '../gateway/supergraph/compose.js';

// `npm run compose`: writes schema/supergraph.graphql from the subgraphs' SDL.
const sdl = composeSupergraph(await readSubgraphs());
await writeFile(SUPERGRAPH_FILE, sdl);
console.log(`Wrote ${fileURLToPath(SUPERGRAPH_FILE)} (${sdl.length} bytes).`);
