import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eventually } from '../../../../test/support/eventually.js';
import type { EmbedFieldRequest, EmbeddingsResult } from './embed.js';
import { createEmbedOperation, type PreparedEmbed } from './embed-operation.js';

type Planned = PreparedEmbed & { responseKey: string };

const request = (
  responseKey: string,
  model: string,
  dataClass = 'INTERNAL',
  texts = [responseKey],
): EmbedFieldRequest => ({ responseKey, model, texts, dataClass });

const field = (teamId: string, req: EmbedFieldRequest): Planned => ({
  teamId,
  request: req,
  responseKey: req.responseKey,
});

/** A result that names the field it was made for, so a mix-up shows. */
const resultOf = (req: EmbedFieldRequest): EmbeddingsResult => ({
  modelId: req.model,
  priceVersion: 1,
  vectors: req.texts.map(() => [req.responseKey.length]),
  usage: { inputTokens: req.texts.length, outputTokens: 0 },
  cost: '0',
  chargeStatus: 'FREE',
  cached: false,
  cachedCount: 0,
  attempts: [],
});

/**
 * A runGroup that records its calls and fails the groups of the models in `failing`; `finished`
 * counts the groups that have settled.
 */
function recordingRunGroup(failing: Record<string, Error> = {}) {
  const calls: Array<[string, string[]]> = [];
  let finished = 0;
  const runGroup = async (teamId: string, fields: EmbedFieldRequest[]) => {
    calls.push([teamId, fields.map((f) => f.responseKey)]);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1));
      const error = failing[fields[0]!.model];
      if (error) throw error;
      return fields.map(resultOf);
    } finally {
      finished += 1;
    }
  };
  return { runGroup, calls, finished: () => finished };
}

const REJECTIONS_PROBE = fileURLToPath(
  new URL('../../../../test/support/embed-rejections-probe.ts', import.meta.url),
);

/**
 * The rejections nobody handled in a run of test/support/embed-rejections-probe.ts (in a process
 * of its own: a jest test's `process` never hears 'unhandledRejection').
 */
function unhandledRejectionsOfProbe(...args: string[]): string[] {
  const out = execFileSync(process.execPath, ['--import', 'tsx', REJECTIONS_PROBE, ...args], {
    cwd: process.cwd(),
    encoding: 'utf8',
  });
  return (JSON.parse(out) as { unhandled: string[] }).unhandled;
}

describe('createEmbedOperation', () => {
  const requests: Array<[teamId: string, EmbedFieldRequest]> = [
    ['t1', request('a', 'm1')],
    ['t1', request('b', 'm2')],
    ['t2', request('c', 'm1')],
    ['t1', request('d', 'm1')],
    ['t1', request('e', 'm1', 'CONFIDENTIAL')],
    ['t1', request('f', 'm2')],
  ];
  const planned = requests.map(([teamId, req]) => field(teamId, req));

  it('collects once, on the first field, and runs one group per team, model and data class', async () => {
    const { runGroup, calls } = recordingRunGroup();
    const operation = createEmbedOperation(runGroup);
    let collected = 0;
    const collect = () => {
      collected += 1;
      return planned;
    };
    const first = operation.resultFor('a', collect);
    expect(calls).toEqual([
      ['t1', ['a', 'd']],
      ['t1', ['b', 'f']],
      ['t2', ['c']],
      ['t1', ['e']],
    ]);
    const rest = ['b', 'c', 'd', 'e', 'f'].map((key) => operation.resultFor(key, collect));
    const results = await Promise.all([first, ...rest]);
    expect(collected).toBe(1);
    expect(calls).toHaveLength(4);
    expect(results).toEqual(requests.map(([, req]) => resultOf(req)));
  });

  it('passes each group its fields’ full requests', async () => {
    const received: EmbedFieldRequest[][] = [];
    const operation = createEmbedOperation(async (_teamId, fields) => {
      received.push(fields);
      return fields.map(resultOf);
    });
    await operation.resultFor('x', () => [
      field('t1', request('x', 'm1', 'PUBLIC', ['one', 'two'])),
      field('t1', request('y', 'm1', 'PUBLIC', ['three'])),
    ]);
    expect(received).toEqual([
      [request('x', 'm1', 'PUBLIC', ['one', 'two']), request('y', 'm1', 'PUBLIC', ['three'])],
    ]);
  });

  it("groups a flow step's fields by their payment: never with fields paid otherwise", async () => {
    const received: Array<[string[], unknown]> = [];
    const operation = createEmbedOperation(async (_teamId, fields, flowStep) => {
      received.push([fields.map((f) => f.responseKey), flowStep]);
      return fields.map(resultOf);
    });
    const step = { holdId: 'h1', stepKey: 'run:embed' };
    const paidBy = (f: Planned, flowStep: typeof step): Planned => ({ ...f, flowStep });
    await operation.resultFor('a', () => [
      field('t1', request('a', 'm1')),
      paidBy(field('t1', request('b', 'm1')), step),
      paidBy(field('t1', request('c', 'm1')), { ...step, stepKey: 'run:other' }),
      field('t1', request('d', 'm1')),
      paidBy(field('t1', request('e', 'm1')), step),
    ]);
    expect(received).toEqual([
      [['a', 'd'], undefined],
      [['b', 'e'], step],
      [['c'], { ...step, stepKey: 'run:other' }],
    ]);
  });

  it('rejects only the field whose preparation failed', async () => {
    const { runGroup, calls } = recordingRunGroup();
    const operation = createEmbedOperation(runGroup);
    const notAllowed = new Error('model not allowed');
    const fields: Planned[] = [
      field('t1', request('a', 'm1')),
      { responseKey: 'bad', error: notAllowed },
      field('t1', request('c', 'm1')),
    ];
    const outcomes = await Promise.allSettled(
      ['a', 'bad', 'c'].map((key) => operation.resultFor(key, () => fields)),
    );
    expect(outcomes).toEqual([
      { status: 'fulfilled', value: resultOf(request('a', 'm1')) },
      { status: 'rejected', reason: notAllowed },
      { status: 'fulfilled', value: resultOf(request('c', 'm1')) },
    ]);
    expect(calls).toEqual([['t1', ['a', 'c']]]);
  });

  it('rejects only the fields of a group that failed', async () => {
    const outage = new Error('every deployment failed');
    const { runGroup, calls } = recordingRunGroup({ m2: outage });
    const operation = createEmbedOperation(runGroup);
    const outcomes = await Promise.allSettled(
      planned.map((p) => operation.resultFor(p.responseKey, () => planned)),
    );
    expect(outcomes.map((o) => (o.status === 'rejected' ? o.reason : o.status))).toEqual([
      'fulfilled',
      outage,
      'fulfilled',
      'fulfilled',
      'fulfilled',
      outage,
    ]);
    expect(calls).toHaveLength(4);
  });

  it('leaves no unhandled rejection for failures no field has awaited yet', async () => {
    expect(unhandledRejectionsOfProbe()).toEqual([]);
    // The probe does see a rejection left unhandled.
    expect(unhandledRejectionsOfProbe('--leave-one-unhandled')).toEqual(['Error: on purpose']);

    const { runGroup, finished } = recordingRunGroup({ m2: new Error('group down') });
    const operation = createEmbedOperation(runGroup);
    const fields: Planned[] = [
      ...planned,
      { responseKey: 'bad', error: new Error('prepared badly') },
    ];
    // Only the first field is awaited before the group and prepared failures settle.
    await operation.resultFor('a', () => fields);
    await eventually('every group settled', () => (finished() === 4 ? true : undefined), {
      timeoutMs: 5_000,
      intervalMs: 5,
    });
    // Later fields still get their failures.
    await expect(operation.resultFor('b', () => fields)).rejects.toThrow('group down');
    await expect(operation.resultFor('bad', () => fields)).rejects.toThrow('prepared badly');
  });

  it('rejects a response key that was not planned', async () => {
    const { runGroup } = recordingRunGroup();
    const operation = createEmbedOperation(runGroup);
    await operation.resultFor('a', () => planned);
    await expect(operation.resultFor('zzz', () => planned)).rejects.toThrow(
      'no embed field zzz planned',
    );
  });
});
