// After `tsc`, copies what the compiled services read at run time beside them: each subgraph's
// schema.graphql (loaded relative to its server module).
import { cpSync, readdirSync } from 'node:fs';

for (const name of readdirSync('subgraphs')) {
  cpSync(`subgraphs/${name}/schema.graphql`, `dist/subgraphs/${name}/schema.graphql`);
}
