import { createAccessDecisionLoader, type AccessCheck } from './access-decision-loader.js';

const check = (modelId: string, dataClass?: string): AccessCheck => ({
  teamId: 't1',
  modelId,
  providerId: modelId.split('/')[0] as string,
  capabilities: ['CHAT'],
  tags: [],
  modelClassification: 'INTERNAL',
  dataClass,
});

const UNLIMITED = {
  requestsPerMinute: null,
  tokensPerMinute: null,
  tokensPerDay: null,
  keyRequestsPerMinute: null,
  keyTokensPerMinute: null,
};

describe('access decision loader', () => {
  it('asks once for every check of one tick, de-duplicated, answering in order', async () => {
    const calls: AccessCheck[][] = [];
    const loader = createAccessDecisionLoader(async (checks) => {
      calls.push([...checks]);
      return checks.map((c) => ({
        allowed: c.modelId !== 'b/2',
        reason: c.modelId === 'b/2' ? 'no' : null,
        quota: UNLIMITED,
      }));
    });
    const results = await Promise.all([
      loader.load(check('a/1')),
      loader.load(check('b/2')),
      loader.load(check('a/1')),
      loader.load(check('a/1', 'CONFIDENTIAL')),
    ]);
    expect(calls).toEqual([[check('a/1'), check('b/2'), check('a/1', 'CONFIDENTIAL')]]);
    expect(results.map((r) => r.allowed)).toEqual([true, false, true, true]);
  });

  it('fails the batch when policy answers the wrong number of checks', async () => {
    const loader = createAccessDecisionLoader(async () => []);
    await expect(loader.load(check('a/1'))).rejects.toThrow(/different number/);
  });
});
