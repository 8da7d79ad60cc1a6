import { generateInternalKeyPair } from '../lib/auth/internal-token.js';
import { loadGatewayConfig } from './config.js';
import { DEFAULT_PERSISTED_QUERIES } from './persisted-queries/persisted-query-cache.js';

describe('gateway configuration', () => {
  it('refuses to start without the signing key, listing every bad variable at once', () => {
    expect(() => loadGatewayConfig({ OIDC_JWKS_FILE: 'jwks.json' })).toThrow(
      /MODELGRAPH_INTERNAL_PRIVATE_KEY: required[\s\S]*OIDC_ISSUER: OIDC needs/,
    );
  });

  it('reads the persisted-query settings, refusing a TTL or size of 0', async () => {
    const { privateKeyPem } = await generateInternalKeyPair();
    const base = { MODELGRAPH_INTERNAL_PRIVATE_KEY: privateKeyPem };
    expect(loadGatewayConfig(base).persistedQueries).toEqual(DEFAULT_PERSISTED_QUERIES);
    expect(
      loadGatewayConfig({
        ...base,
        APQ_ENABLED: 'false',
        APQ_TTL_SECONDS: '600',
        APQ_MAX_DOCUMENT_BYTES: '4096',
        APQ_EMBEDDED_MAX_BYTES: '1048576',
      }).persistedQueries,
    ).toEqual({
      enabled: false,
      ttlSeconds: 600,
      maxDocumentBytes: 4096,
      embeddedMaxBytes: 1_048_576,
    });
    expect(() =>
      loadGatewayConfig({ ...base, APQ_TTL_SECONDS: '0', APQ_MAX_DOCUMENT_BYTES: '0' }),
    ).toThrow(/APQ_TTL_SECONDS[\s\S]*APQ_MAX_DOCUMENT_BYTES/);
  });
});
