import { loadGatewayConfig } from './config.js';

describe('gateway configuration', () => {
  it('refuses to start without the signing key, listing every bad variable at once', () => {
    expect(() => loadGatewayConfig({ OIDC_JWKS_FILE: 'jwks.json' })).toThrow(
      /MODELGRAPH_INTERNAL_PRIVATE_KEY: required[\s\S]*OIDC_ISSUER: OIDC needs/,
    );
  });
});
