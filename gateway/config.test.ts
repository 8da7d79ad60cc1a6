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

  it('offers console SSO only with a client id, and only where OIDC tokens are accepted', async () => {
    const { privateKeyPem } = await generateInternalKeyPair();
    const oidc = {
      MODELGRAPH_INTERNAL_PRIVATE_KEY: privateKeyPem,
      OIDC_ISSUER: 'https://id.example',
      OIDC_AUDIENCE: 'modelgraph',
      OIDC_JWKS_URL: 'https://id.example/jwks',
    };
    expect(loadGatewayConfig(oidc).oidc?.console).toBeUndefined();
    expect(loadGatewayConfig({ ...oidc, OIDC_CONSOLE_CLIENT_ID: 'console' }).oidc?.console).toEqual(
      { clientId: 'console', scopes: 'openid', redirectUri: undefined },
    );
    expect(
      loadGatewayConfig({
        ...oidc,
        OIDC_CONSOLE_CLIENT_ID: 'console',
        OIDC_CONSOLE_SCOPES: ' openid profile ',
        OIDC_CONSOLE_REDIRECT_URI: 'https://ai.example/console/callback',
      }).oidc?.console,
    ).toEqual({
      clientId: 'console',
      scopes: 'openid profile',
      redirectUri: 'https://ai.example/console/callback',
    });
    expect(() =>
      loadGatewayConfig({
        MODELGRAPH_INTERNAL_PRIVATE_KEY: privateKeyPem,
        OIDC_CONSOLE_CLIENT_ID: 'console',
      }),
    ).toThrow(/OIDC_CONSOLE_CLIENT_ID: console sign-in with OIDC needs/);
    expect(() =>
      loadGatewayConfig({
        ...oidc,
        OIDC_CONSOLE_CLIENT_ID: 'c',
        OIDC_CONSOLE_REDIRECT_URI: 'nope',
      }),
    ).toThrow(/OIDC_CONSOLE_REDIRECT_URI/);
  });
});
