// After `tsc`, copies what the compiled services read at run time beside them: each subgraph's
// schema.graphql (loaded relative to its server module), and the console.
import { cpSync, readdirSync } from 'node:fs';

for (const entry of readdirSync('subgraphs', { withFileTypes: true })) {
  if (!entry.isDirectory()) continue; // subgraphs/standalone-subgraphs.ts
  cpSync(`subgraphs/${entry.name}/schema.graphql`, `dist/subgraphs/${entry.name}/schema.graphql`);
}

// The web console's build (npm run console:build), which the gateway serves at /console.
cpSync('console/dist', 'dist/console/dist', { recursive: true });
