import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PublishRefused, publishDocuments } from '../lib/graphql/publish-documents.js';

/*
 * `npm run documents:publish -- --client <name> --version <v> --manifest <file>`: registers a
 * client version's operations as trusted documents (decision 81), from the manifest
 * `generate-persisted-query-manifest` writes, through the gateway's `publishDocuments` mutation.
 * Where and as whom: --url / MODELGRAPH_URL (default http://localhost:4000/graphql) and
 * --token / MODELGRAPH_TOKEN (an organization admin's bearer: the admin key or an admin's OIDC
 * token). Exits 1, printing each refused operation, when the gateway refuses the manifest.
 */
const { values } = parseArgs({
  options: {
    client: { type: 'string' },
    version: { type: 'string' },
    manifest: { type: 'string' },
    url: { type: 'string' },
    token: { type: 'string' },
  },
});
const url = values.url ?? process.env.MODELGRAPH_URL ?? 'http://localhost:4000/graphql';
const token = values.token ?? process.env.MODELGRAPH_TOKEN;
if (!values.client || !values.version || !values.manifest || !token) {
  console.error(
    'usage: npm run documents:publish -- --client <name> --version <version> --manifest <file> ' +
      '[--url <gateway /graphql>] [--token <admin bearer>] (or MODELGRAPH_URL, MODELGRAPH_TOKEN)',
  );
  process.exit(2);
}

try {
  const published = await publishDocuments({
    url,
    token,
    clientName: values.client,
    clientVersion: values.version,
    manifest: JSON.parse(readFileSync(values.manifest, 'utf8')),
  });
  console.log(
    `Published ${published.documentCount} documents for ${published.clientName}@${published.clientVersion} (${published.addedCount} new).`,
  );
} catch (error) {
  if (!(error instanceof PublishRefused)) throw error;
  for (const line of error.lines) console.error(line);
  process.exit(1);
}
