/*
 * Run by subgraphs/inference/service/saga/embed-operation.test.ts in a process of its own: jest
 * gives a test a copy of `process` whose 'unhandledRejection' listeners never hear anything, so
 * the rejections nobody handled can only be observed here. Plans one embed operation whose
 * groups and preparations fail, awaits only its first field, waits until every group settled,
 * and prints how many rejections went unhandled, as JSON. `--leave-one-unhandled` also leaves one
 * rejection unhandled on purpose, to show the count would see it.
 */
import type { EmbedFieldRequest } from '../../subgraphs/inference/service/saga/embed.js';
import {
  createEmbedOperation,
  type PreparedEmbed,
} from '../../subgraphs/inference/service/saga/embed-operation.js';

const unhandled: string[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(String(reason)));

let running = 0;
const operation = createEmbedOperation(async (_teamId, fields: EmbedFieldRequest[]) => {
  running += 1;
  try {
    await new Promise((resolve) => setTimeout(resolve, 1));
    throw new Error(`group ${fields[0]!.model} down`);
  } finally {
    running -= 1;
  }
});
const field = (responseKey: string, model: string): PreparedEmbed & { responseKey: string } => ({
  responseKey,
  teamId: 't1',
  request: { responseKey, model, texts: [responseKey], dataClass: 'INTERNAL' },
});
const fields = [
  field('a', 'down'),
  field('b', 'down'),
  field('c', 'away'),
  { responseKey: 'bad', error: new Error('prepared badly') },
];
if (process.argv.includes('--leave-one-unhandled')) void Promise.reject(new Error('on purpose'));

await operation.resultFor('a', () => fields).catch(() => undefined);
while (running > 0) await new Promise((resolve) => setImmediate(resolve));
// Node reports an unhandled rejection once the microtasks of its turn have run.
await new Promise((resolve) => setImmediate(resolve));
console.log(JSON.stringify({ unhandled }));
