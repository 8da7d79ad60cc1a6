import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/*
 * `npm run documents:publish -- --client <name> --version <v> --manifest <file>`: registers a
 * client version's operations as trusted documents (decision 81), from the manifest
 * `generate-persisted-query-manifest` writes, through the gateway's `publishDocuments` mutation.
 * Where and as whom: --url / MODELGRAPH_URL (default http://localhost:4000/graphql) and
 * --token / MODELGRAPH_TOKEN (an organization admin's bearer: the admin key or an admin's OIDC
 * token). Exits 1, printing each refused operation, when the gateway refuses the manifest.
 */
const PUBLISH = `mutation PublishDocuments($input: PublishDocumentsInput!) {
  publishDocuments(input: $input) { clientName clientVersion documentCount addedCount }
}`;

interface PublishResponse {
  data?: {
    publishDocuments: {
      clientName: string;
      clientVersion: string;
      documentCount: number;
      addedCount: number;
    };
  } | null;
  errors?: Array<{
    message: string;
    extensions?: { code?: string; operations?: Array<{ name: string | null; problems: string[] }> };
  }>;
}

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

const manifest: unknown = JSON.parse(readFileSync(values.manifest, 'utf8'));
const response = await fetch(url, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  body: JSON.stringify({
    query: PUBLISH,
    variables: { input: { clientName: values.client, clientVersion: values.version, manifest } },
  }),
});
const result = (await response.json()) as PublishResponse;
const published = result.data?.publishDocuments;
if (!published) {
  for (const error of result.errors ?? [{ message: `HTTP ${response.status}` }]) {
    console.error(`${error.extensions?.code ?? 'ERROR'}: ${error.message}`);
    for (const operation of error.extensions?.operations ?? []) {
      console.error(`  ${operation.name ?? '(anonymous)'}: ${operation.problems.join('; ')}`);
    }
  }
  process.exit(1);
}
console.log(
  `Published ${published.documentCount} documents for ${published.clientName}@${published.clientVersion} (${published.addedCount} new).`,
);
