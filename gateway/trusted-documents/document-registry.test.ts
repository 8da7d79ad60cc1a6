import { createKv, type Kv } from '../../lib/kv/index.js';
import { silentLogger } from '../../test/support/identities.js';
import { eventually } from '../../test/support/eventually.js';
import type { DocumentLookup, PolicyClient } from '../auth/policy-client.js';
import { createDocumentRegistry } from './document-registry.js';

const REGISTERED = 'r'.repeat(64);
const UNKNOWN = 'u'.repeat(64);

/** Policy's registry as the gateway calls it: REGISTERED for client "web"; every call recorded. */
function fakePolicy() {
  const calls: Array<[string, string]> = [];
  const policy = {
    async trustedDocument(id: string, clientName: string): Promise<DocumentLookup> {
      calls.push([id, clientName]);
      if (id !== REGISTERED) return { body: null, registeredForClient: false };
      return { body: '{ viewer { id } }', registeredForClient: clientName === 'web' };
    },
  } as unknown as PolicyClient;
  return { policy, calls };
}

describe('the gateway document registry', () => {
  let kv: Kv;
  beforeEach(async () => {
    kv = await createKv({});
  });
  afterEach(() => kv.close());

  const registry = (policy: PolicyClient, negativeTtlMs = 60_000) =>
    createDocumentRegistry({
      policy,
      kv,
      logger: silentLogger,
      cacheBytes: 1 << 20,
      negativeTtlMs,
    });

  it('asks policy once per id and client, sharing one call between concurrent lookups', async () => {
    const { policy, calls } = fakePolicy();
    const documents = registry(policy);
    const [a, b] = await Promise.all([
      documents.lookup(REGISTERED, 'web', 'r1'),
      documents.lookup(REGISTERED, 'web', 'r2'),
    ]);
    expect(a).toEqual({ body: '{ viewer { id } }', registeredForClient: true });
    expect(b).toBe(a);
    expect(await documents.lookup(REGISTERED, 'web', 'r3')).toEqual(a);
    expect(await documents.lookup(REGISTERED, 'ios', 'r4')).toEqual({
      body: '{ viewer { id } }',
      registeredForClient: false,
    });
    expect(calls).toEqual([
      [REGISTERED, 'web'],
      [REGISTERED, 'ios'],
    ]);
  });

  it('shares answers with other replicas through the Kv', async () => {
    const first = fakePolicy();
    await registry(first.policy).lookup(REGISTERED, 'web', 'r1');
    await registry(first.policy).lookup(UNKNOWN, 'web', 'r1');
    const second = fakePolicy();
    const replica = registry(second.policy);
    expect((await replica.lookup(REGISTERED, 'web', 'r2')).registeredForClient).toBe(true);
    expect((await replica.lookup(UNKNOWN, 'web', 'r2')).body).toBeNull();
    expect(second.calls).toEqual([]);
  });

  it('forgets "not registered" after the negative TTL, so a later publish is seen', async () => {
    const { policy, calls } = fakePolicy();
    const documents = registry(policy, 200);
    await documents.lookup(UNKNOWN, 'web', 'r1');
    await documents.lookup(UNKNOWN, 'web', 'r2');
    expect(calls).toHaveLength(1);
    await eventually(
      'the unknown id asked for again',
      async () => {
        await documents.lookup(UNKNOWN, 'web', 'r3');
        return calls.length === 2 ? true : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
  });
});
