import { ORCHESTRATION_PORT, loadOrchestrationConfig } from './config.js';

const PUBLIC = '-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----';
const PRIVATE = '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----';

describe('orchestration configuration', () => {
  it('needs the gateway public key and its own private key, and says so', () => {
    expect(() => loadOrchestrationConfig({})).toThrow(/MODELGRAPH_INTERNAL_PUBLIC_KEY: required/);
    expect(() => loadOrchestrationConfig({ MODELGRAPH_INTERNAL_PUBLIC_KEY: PUBLIC })).toThrow(
      /MODELGRAPH_INTERNAL_PRIVATE_KEY/,
    );
  });

  it('listens on its own port unless PORT says otherwise, and calls policy at POLICY_URL', () => {
    const env = {
      MODELGRAPH_INTERNAL_PUBLIC_KEY: PUBLIC,
      MODELGRAPH_INTERNAL_PRIVATE_KEY: PRIVATE,
    };
    expect(loadOrchestrationConfig(env)).toMatchObject({
      name: 'orchestration',
      port: ORCHESTRATION_PORT,
      services: {
        policy: 'http://127.0.0.1:4004/graphql',
        wallet: 'http://127.0.0.1:4003/graphql',
        inference: 'http://127.0.0.1:4002/graphql',
        catalog: 'http://127.0.0.1:4001/graphql',
      },
    });
    expect(loadOrchestrationConfig({ ...env, PORT: '5123' }).port).toBe(5123);
    expect(
      loadOrchestrationConfig({ ...env, POLICY_URL: 'http://policy:4004/graphql' }).services.policy,
    ).toBe('http://policy:4004/graphql');
    expect(
      loadOrchestrationConfig({ ...env, INFERENCE_URL: 'http://inference:4002/graphql' }).services
        .inference,
    ).toBe('http://inference:4002/graphql');
    // Vector snapshots: the temp folder unless told where (a persistent volume in production).
    expect(loadOrchestrationConfig(env).vectorSnapshotDir).toMatch(/modelgraph-vectors$/);
    expect(
      loadOrchestrationConfig({ ...env, VECTOR_SNAPSHOT_DIR: '/data/vectors' }).vectorSnapshotDir,
    ).toBe('/data/vectors');
  });
});
