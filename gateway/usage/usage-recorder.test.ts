import { buildSchema, getOperationAST, parse } from 'graphql';
import { Registry } from 'prom-client';
import { silentLogger } from '../../test/support/identities.js';
import type { UsageBatch } from '../../lib/policy/usage-batch.js';
import { documentId } from '../../lib/graphql/document-id.js';
import { createUsageRecorder, type UsageSettings } from './usage-recorder.js';

const schema = buildSchema('type Query { a: Int, b(x: Int): Int }');
const HOUR = Date.UTC(2026, 0, 31, 12);

function recorder(settings: Partial<UsageSettings>, send: (batch: UsageBatch) => Promise<unknown>) {
  const registry = new Registry();
  let now = HOUR + 60_000;
  const usage = createUsageRecorder({
    settings: { enabled: true, flushIntervalMs: 60_000, maxPending: 100, ...settings },
    send,
    logger: silentLogger,
    registry,
    now: () => now,
  });
  const run = (query: string, client = { name: 'web', version: '1' }) => {
    const document = parse(query);
    const operation = getOperationAST(document)!;
    usage.record({ schema, document, operation, hash: documentId(query), client });
  };
  const dropped = async () =>
    Object.fromEntries(
      ((await registry.getSingleMetric('modelgraph_usage_dropped_total')?.get())?.values ?? []).map(
        (v) => [v.labels.reason, v.value],
      ),
    );
  return { usage, run, dropped, later: (ms: number) => (now += ms) };
}

describe('the usage recorder', () => {
  it('adds up runs per hour, client and operation, and names each operation once per batch', async () => {
    const sent: UsageBatch[] = [];
    const { usage, run, later } = recorder({}, async (batch) => sent.push(batch));
    run('query A { a }');
    run('query A { a }');
    run('query A { a }', { name: 'ios', version: '2' });
    later(3_600_000);
    run('query A { a }');
    run('{ b(x: 1) }');
    await usage.stop();
    const [batch] = sent;
    expect(sent).toHaveLength(1);
    expect(batch!.counts.map((c) => [c.hour, c.clientName, c.name, c.count])).toEqual([
      ['2026-01-31T12:00:00.000Z', 'web', 'A', 2],
      ['2026-01-31T12:00:00.000Z', 'ios', 'A', 1],
      ['2026-01-31T13:00:00.000Z', 'web', 'A', 1],
      ['2026-01-31T13:00:00.000Z', 'web', '', 1],
    ]);
    expect(batch!.operations.map((o) => [o.name, o.coordinates])).toEqual([
      ['A', ['Query.a']],
      ['', ['Query.b', 'Query.b(x:)']],
    ]);
  });

  it('drops and counts what does not fit, and what policy does not take, without throwing', async () => {
    const { usage, run, dropped } = recorder({ maxPending: 2 }, async () => {
      throw new Error('policy is down');
    });
    run('query A { a }');
    run('query B { a }');
    run('query C { a }');
    run('query A { a }');
    await usage.flush();
    expect(await dropped()).toEqual({ full: 1, unreachable: 3 });
    // Nothing is kept for later: the next flush has nothing to send.
    await usage.stop();
    expect(await dropped()).toEqual({ full: 1, unreachable: 3 });
  });
});
