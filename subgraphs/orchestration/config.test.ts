import { ORCHESTRATION_PORT, loadOrchestrationConfig } from './config.js';

const PUBLIC = '-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----';

describe('orchestration configuration', () => {
  it('needs the gateway public key, and says so', () => {
    expect(() => loadOrchestrationConfig({})).toThrow(/MODELGRAPH_INTERNAL_PUBLIC_KEY: required/);
  });

  it('listens on its own port unless PORT says otherwise', () => {
    const env = { MODELGRAPH_INTERNAL_PUBLIC_KEY: PUBLIC };
    expect(loadOrchestrationConfig(env)).toMatchObject({
      name: 'orchestration',
      port: ORCHESTRATION_PORT,
    });
    expect(loadOrchestrationConfig({ ...env, PORT: '5123' }).port).toBe(5123);
  });
});
