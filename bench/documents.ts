import { randomBytes } from 'node:crypto';
import { generateManifest } from '../test/support/trusted-documents.js';
import { benchDatabase, runLoad, startDevPlatform, type LoadFigures } from './dev-platform.js';

/*
 * `npm run bench:documents`: the gateway with TRUSTED_DOCUMENTS=require (the production default)
 * serving one registered, mid-size operation (the fixture client's ModelCatalog: viewer, 10 models
 * with prices, access and health, three subgraphs) sent by id (`extensions.persistedQuery`) and
 * sent in full, in the same run, alternating rows (and which goes first). The manifest comes from the real
 * generate-persisted-query-manifest and is published through the gateway first. The platform
 * runs as `npm start` does, in one child process; the load comes from this process.
 */
const PORT = Number(process.env.BENCH_PORT ?? 4410);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,16').split(',').map(Number);
const CLIENT = {
  'apollographql-client-name': 'catalog-web',
  'apollographql-client-version': '1.0.0',
};
const ADMIN_KEY = `bench-admin-${randomBytes(24).toString('hex')}`;

const generated = await generateManifest();
const operation = generated.operation('ModelCatalog');
const database = await benchDatabase();
const platform = await startDevPlatform({
  port: PORT,
  databaseUrl: database.url,
  env: { TRUSTED_DOCUMENTS: 'require', MODELGRAPH_ADMIN_KEY: ADMIN_KEY },
});
const url = `http://127.0.0.1:${PORT}/graphql`;
try {
  const published = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
    body: JSON.stringify({
      query: `mutation($input: PublishDocumentsInput!) { publishDocuments(input: $input) { documentCount } }`,
      variables: {
        input: { clientName: 'catalog-web', clientVersion: '1.0.0', manifest: generated.manifest },
      },
    }),
  });
  const answer = (await published.json()) as { errors?: unknown[] };
  if (answer.errors) throw new Error(`publish failed: ${JSON.stringify(answer.errors)}`);

  const shared = { operationName: operation.name, variables: { first: 10 } };
  const bodies = {
    'by id': {
      ...shared,
      extensions: { persistedQuery: { version: 1, sha256Hash: operation.id } },
    },
    'in full': { ...shared, query: operation.body },
  };
  const load = (body: unknown, concurrency: number, seconds = SECONDS): Promise<LoadFigures> =>
    runLoad({
      url,
      body,
      headers: { authorization: `Bearer ${platform.key}`, ...CLIENT },
      concurrency,
      seconds,
    });
  // Warm up: JIT, pools, the registry's caches, Apollo's document and plan caches.
  for (const body of Object.values(bodies)) await load(body, 4, 3);

  console.log(
    `ModelCatalog: ${operation.body.length} characters of query text; stores: ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'} + ${process.env.REDIS_URL ? 'Redis' : 'in-process'}; ${SECONDS} s per row`,
  );
  console.log('| sent | clients | round | req/s | p50 ms | p99 ms | errors |');
  console.log('|---|---|---|---|---|---|---|');
  for (const concurrency of CONCURRENCY) {
    for (let round = 1; round <= ROUNDS; round += 1) {
      // Each kind goes first in every other round, so neither always meets a fresher machine.
      const kinds = Object.entries(bodies);
      for (const [name, body] of round % 2 === 1 ? kinds : kinds.reverse()) {
        const r = await load(body, concurrency);
        console.log(
          `| ${name} | ${concurrency} | ${round} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.errors} |`,
        );
      }
    }
  }
  console.log(
    '\nReproduce: npm run bench:documents   (DATABASE_URL=… REDIS_URL=… for real stores)',
  );
} finally {
  await platform.stop();
  await database.drop();
  await generated.remove();
}
