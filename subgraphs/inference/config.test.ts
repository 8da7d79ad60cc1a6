import { DEFAULT_INFERENCE_SETTINGS, loadInferenceConfig } from './config.js';
import { callTimingOf, WALLET_CALL_BUDGET_MS } from './service/timing.js';

const PUBLIC = '-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----';
const PRIVATE = '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----';

describe('inference configuration', () => {
  it('needs the signing key, and lists it', () => {
    expect(() => loadInferenceConfig({ MODELGRAPH_INTERNAL_PUBLIC_KEY: PUBLIC })).toThrow(
      /MODELGRAPH_INTERNAL_PRIVATE_KEY: required/,
    );
  });

  it('defaults every setting, and reads overrides', () => {
    const keys = {
      MODELGRAPH_INTERNAL_PUBLIC_KEY: PUBLIC,
      MODELGRAPH_INTERNAL_PRIVATE_KEY: PRIVATE,
    };
    expect(loadInferenceConfig(keys).settings).toEqual(DEFAULT_INFERENCE_SETTINGS);
    expect(DEFAULT_INFERENCE_SETTINGS).toMatchObject({
      cacheHitsCharged: false,
      attemptsPerTarget: 2,
    });
    const config = loadInferenceConfig({
      ...keys,
      CACHE_HITS_CHARGED: 'true',
      INFERENCE_POLICY_CACHE_MS: '0',
      POLICY_URL: 'http://policy:4004/graphql',
    });
    expect(config.settings).toMatchObject({ cacheHitsCharged: true, policyCacheMs: 0 });
    expect(config.services.policy).toBe('http://policy:4004/graphql');
    expect(() => loadInferenceConfig({ ...keys, INFERENCE_DEADLINE_MS: '0' })).toThrow(
      /INFERENCE_DEADLINE_MS/,
    );
  });

  it('refuses a hold TTL that the deadline and the wallet retries could outlast', () => {
    const keys = {
      MODELGRAPH_INTERNAL_PUBLIC_KEY: PUBLIC,
      MODELGRAPH_INTERNAL_PRIVATE_KEY: PRIVATE,
    };
    // 600 s of hold: a 480 s deadline plus 81 s of capture retries fits, 520 s does not.
    expect(
      loadInferenceConfig({ ...keys, INFERENCE_DEADLINE_MS: '480000' }).settings,
    ).toMatchObject({ deadlineMs: 480_000, holdTtlSeconds: 600 });
    expect(() => loadInferenceConfig({ ...keys, INFERENCE_DEADLINE_MS: '520000' })).toThrow(
      /INFERENCE_HOLD_TTL_SECONDS: must outlast INFERENCE_DEADLINE_MS plus the wallet's retries \(81.05 s\)/,
    );
  });
});

describe('call timing', () => {
  it('gives a call time for the output it asks for, and a hold that outlives it', () => {
    const settings = { ...DEFAULT_INFERENCE_SETTINGS, outputTokensPerSecond: 35 };
    expect(callTimingOf(settings, 0)).toEqual({
      attemptTimeoutMs: 30_000,
      deadlineMs: 120_000,
      holdTtlSeconds: 600,
    });
    // 16,384 tokens at 35 a second: 469 s more, past what the default hold covers.
    expect(callTimingOf(settings, 16_384)).toEqual({
      attemptTimeoutMs: 30_000 + 468_115,
      deadlineMs: 120_000 + 468_115,
      holdTtlSeconds: Math.ceil((120_000 + 468_115 + WALLET_CALL_BUDGET_MS) / 1000),
    });
  });
});
