import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { summarize } from './inference-load.js';
import type { Platform } from './inference-load.js';
import type { DeploymentName } from './inference-platform.js';

/*
 * Part 2 of `npm run bench:inference`: embeddings per second. A round embeds the same 500 unique
 * texts through the gateway, in one of three shapes:
 *  - one operation of 10 aliased `embed` fields × 50 texts: one saga (one policy call, one hold,
 *    one capture) and ceil(500 / 128) = 4 provider requests, the model's maxBatchSize being 128;
 *  - 10 operations of one field × 50 texts, 10 in flight: 10 sagas, 10 provider requests;
 *  - 500 operations of one field × 1 text, 16 in flight: 500 sagas, 500 provider requests, i.e.
 *    no batching at all (one operation cannot carry 500 fields: the gateway allows 30 aliases).
 * The embedding cache is off (embeddingCacheTtlSeconds: 0), so every round reaches the provider.
 * Rounds run one after another for the row's duration, after one warm-up round.
 */
const FIELDS = 10;
const PER_FIELD = 50;
const TEXTS = Array.from(
  { length: FIELDS * PER_FIELD },
  (_, i) => `Document ${i}: a short passage on topic ${i % 37}, written for the embedding bench.`,
);

const SHAPES = [
  { name: '1 operation: 10 fields x 50 texts', operations: 1, fields: FIELDS, inFlight: 1 },
  { name: '10 operations: 1 field x 50 texts', operations: FIELDS, fields: 1, inFlight: FIELDS },
  { name: '500 operations: 1 field x 1 text', operations: TEXTS.length, fields: 1, inFlight: 16 },
] as const;

const MODELS: Array<[DeploymentName, number]> = [
  ['embed-0ms', 0],
  ['embed-20ms', 20],
];

/** One operation with an aliased `embed` field per list of texts. */
function embedOperation(model: string, lists: string[][]) {
  const fields = lists.map(
    (_, i) => `f${i}: embed(input: { model: "${model}", texts: $t${i} }) { vectors cost }`,
  );
  const params = lists.map((_, i) => `$t${i}: [String!]!`).join(', ');
  return JSON.stringify({
    query: `mutation Embed(${params}) { ${fields.join('\n')} }`,
    variables: Object.fromEntries(lists.map((texts, i) => [`t${i}`, texts])),
  });
}

/** The round's operations: TEXTS cut into `operations` × `fields` lists. */
function roundOf(model: string, operations: number, fields: number) {
  const perOperation = TEXTS.length / operations;
  const perField = perOperation / fields;
  return Array.from({ length: operations }, (_, o) =>
    embedOperation(
      model,
      Array.from({ length: fields }, (_, f) =>
        TEXTS.slice(o * perOperation + f * perField, o * perOperation + (f + 1) * perField),
      ),
    ),
  );
}

export async function benchEmbeddings(platform: Platform, options: { seconds: number }) {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${platform.key}` };
  const rows: string[] = [];
  for (const [deployment, latencyMs] of MODELS) {
    const { modelId } = platform.deployments[deployment];
    for (const shape of SHAPES) {
      const operations = roundOf(modelId, shape.operations, shape.fields);
      const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: shape.inFlight });
      const operationTimes: number[] = [];
      let errors = 0;
      const round = async () => {
        const queue = [...operations];
        const worker = async () => {
          for (let body = queue.pop(); body; body = queue.pop()) {
            const started = performance.now();
            const response = await request(platform.url, {
              method: 'POST',
              headers,
              body,
              dispatcher,
            });
            const json = (await response.body.json()) as { errors?: unknown };
            operationTimes.push(performance.now() - started);
            if (response.statusCode !== 200 || json.errors) errors += 1;
          }
        };
        await Promise.all(Array.from({ length: shape.inFlight }, worker));
      };
      await round();
      await platform.ask({ cmd: 'drain', deployment });
      operationTimes.length = 0;
      errors = 0;
      const roundTimes: number[] = [];
      const began = performance.now();
      while (performance.now() - began < options.seconds * 1000) {
        const started = performance.now();
        await round();
        roundTimes.push(performance.now() - started);
      }
      const elapsed = (performance.now() - began) / 1000;
      await dispatcher.close();
      const provider = await platform.ask<'drained'>({ cmd: 'drain', deployment });
      const rounds = roundTimes.length;
      const perRound = summarize(roundTimes);
      const perOperation = summarize(operationTimes);
      rows.push(
        [
          '',
          latencyMs,
          shape.name,
          shape.inFlight,
          ((rounds * TEXTS.length) / elapsed).toFixed(0),
          perRound.p50.toFixed(1),
          perOperation.p50.toFixed(1),
          perOperation.p99.toFixed(1),
          (provider.requests / rounds).toFixed(1),
          (provider.inputs / rounds).toFixed(0),
          rounds,
          errors,
          '',
        ]
          .join(' | ')
          .trim(),
      );
      console.error(`  embed ${deployment} ${shape.name}: ${rows.at(-1)}`);
    }
  }
  console.log(
    '\n| emulator ms | shape (500 unique texts per round) | in flight | texts/s | round p50 ms | operation p50 ms | operation p99 ms | provider requests / round | texts sent / round | rounds | errors |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
}
