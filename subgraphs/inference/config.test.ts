import { DEFAULT_INFERENCE_SETTINGS, loadInferenceConfig } from './config.js';

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
});
