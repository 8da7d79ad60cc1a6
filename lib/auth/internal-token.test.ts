import { SignJWT, importPKCS8, type JWTPayload } from 'jose';
import { createTestKeys, teamUser, type TestKeys } from '../../test/support/identities.js';
import {
  createInternalTokenSigner,
  createInternalTokenVerifier,
  generateInternalKeyPair,
  ISSUERS,
  reuseTokens,
} from './internal-token.js';

const alice = teamUser('team-a', 'MEMBER', 'user:alice');

/** Signs arbitrary claims with the gateway's key, as a buggy or compromised signer might. */
async function signRaw(privateKeyPem: string, payload: JWTPayload, issuer = 'gateway') {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuer(issuer)
    .setAudience('modelgraph-subgraphs')
    .setIssuedAt()
    .setExpirationTime('60s')
    .sign(await importPKCS8(privateKeyPem, 'ES256'));
}

describe('internal tokens', () => {
  let keys: TestKeys;

  beforeAll(async () => {
    keys = await createTestKeys();
  });

  it('round-trips the principal and request id through sign and verify', async () => {
    const before = Math.floor(Date.now() / 1000);
    const token = await keys.signer.sign(alice, 'req-0001');
    const claims = await keys.verifier.verify(token);
    expect(claims.principal).toEqual(alice);
    expect(claims.requestId).toBe('req-0001');
    // The default lifetime is a minute.
    expect(claims.exp - before).toBeGreaterThanOrEqual(59);
    expect(claims.exp - before).toBeLessThanOrEqual(61);
    // A second fan-out fetch with the same token gets the same answer.
    await expect(keys.verifier.verify(token)).resolves.toEqual(claims);
  });

  it('refuses a missing token', async () => {
    await expect(keys.verifier.verify(undefined)).rejects.toThrow(/missing internal token/);
    await expect(keys.verifier.verify('')).rejects.toThrow(/missing internal token/);
  });

  it('refuses a token that is not a JWT at all', async () => {
    await expect(keys.verifier.verify('not-a-token')).rejects.toThrow();
  });

  it('refuses a token signed with another key', async () => {
    const other = await generateInternalKeyPair();
    const forger = await createInternalTokenSigner({
      privateKeyPem: other.privateKeyPem,
      issuer: 'gateway',
    });
    await expect(keys.verifier.verify(await forger.sign(alice, 'r'))).rejects.toThrow(/signature/);
  });

  it('refuses a token from an issuer it does not accept', async () => {
    const stranger = await createInternalTokenSigner({
      privateKeyPem: keys.privateKeyPem,
      issuer: 'billing',
    });
    await expect(keys.verifier.verify(await stranger.sign(alice, 'r'))).rejects.toThrow(/iss/);
    // ...and accepts it once that issuer is listed.
    const lenient = await createInternalTokenVerifier({
      publicKeyPem: keys.publicKeyPem,
      issuers: ['gateway', 'billing'],
    });
    await expect(lenient.verify(await stranger.sign(alice, 'r'))).resolves.toMatchObject({
      principal: { id: 'user:alice' },
    });
  });

  it("accepts the inference service's own tokens, but never one that speaks for someone else", async () => {
    const inference = await createInternalTokenSigner({
      privateKeyPem: keys.privateKeyPem,
      issuer: ISSUERS.inference,
    });
    const service = {
      id: 'service:inference',
      kind: 'SERVICE' as const,
      orgId: 'default',
      roles: [],
      scopes: ['wallet:hold' as const],
      teams: [],
    };
    await expect(keys.verifier.verify(await inference.sign(service, 'r'))).resolves.toMatchObject({
      principal: { id: 'service:inference' },
    });
    await expect(keys.verifier.verify(await inference.sign(alice, 'r'))).rejects.toThrow(
      /only speak for itself/,
    );
    // The gateway still speaks for users.
    await expect(keys.verifier.verify(await keys.signer.sign(alice, 'r'))).resolves.toBeTruthy();
  });

  it('accepts orchestration acting for a caller only as itself, and no other service or the gateway delegating', async () => {
    const signerOf = (issuer: string) =>
      createInternalTokenSigner({ privateKeyPem: keys.privateKeyPem, issuer });
    const orchestration = await signerOf(ISSUERS.orchestration);
    const claims = await keys.verifier.verify(
      await orchestration.sign(alice, 'r', 'service:orchestration'),
    );
    expect(claims).toMatchObject({
      principal: { id: 'user:alice' },
      actor: 'service:orchestration',
    });
    // Without the act claim it may still only speak for itself.
    await expect(keys.verifier.verify(await orchestration.sign(alice, 'r'))).rejects.toThrow(
      /only speak for itself/,
    );
    // Naming another actor, or a service principal, is refused.
    await expect(
      keys.verifier.verify(await orchestration.sign(alice, 'r', 'service:billing')),
    ).rejects.toThrow(/may not act/);
    // Services that do not delegate, and the gateway, cannot claim an actor.
    const inference = await signerOf(ISSUERS.inference);
    await expect(
      keys.verifier.verify(await inference.sign(alice, 'r', 'service:inference')),
    ).rejects.toThrow(/may not act/);
    await expect(
      keys.verifier.verify(await keys.signer.sign(alice, 'r', 'service:gateway')),
    ).rejects.toThrow(/may not act/);
    // A token of the caller's own has no actor.
    expect((await keys.verifier.verify(await keys.signer.sign(alice, 'r'))).actor).toBeUndefined();
  });

  it('reuses one token per principal for a while, and signs afresh for another principal or later', async () => {
    let clock = 0;
    let signed = 0;
    const counting = {
      sign: (p: Parameters<TestKeys['signer']['sign']>[0], rid: string) => {
        signed += 1;
        return keys.signer.sign(p, rid);
      },
    };
    const reusing = reuseTokens(counting, { reuseMs: 1000, now: () => clock });
    const first = await reusing.sign(alice, 'r1');
    expect(await reusing.sign(alice, 'r2')).toBe(first);
    const bob = teamUser('team-a', 'MEMBER', 'user:bob');
    expect(await reusing.sign(bob, 'r3')).not.toBe(first);
    // A changed role is a different principal.
    expect(await reusing.sign(teamUser('team-a', 'ADMIN', 'user:alice'), 'r4')).not.toBe(first);
    clock = 1001;
    expect(await reusing.sign(alice, 'r5')).not.toBe(first);
    expect(signed).toBe(4);
    await expect(keys.verifier.verify(first)).resolves.toMatchObject({ principal: alice });
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const token = await keys.signer.sign(alice, 'r');
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    claims.principal.roles = ['ORG_ADMIN'];
    const forged = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature];
    await expect(keys.verifier.verify(forged.join('.'))).rejects.toThrow(/signature/);
  });

  it('refuses a token that carries no principal, or a malformed one', async () => {
    const none = await signRaw(keys.privateKeyPem, { rid: 'r' });
    await expect(keys.verifier.verify(none)).rejects.toThrow(/no principal/);
    const noTeams = await signRaw(keys.privateKeyPem, { principal: { id: 'x' }, rid: 'r' });
    await expect(keys.verifier.verify(noTeams)).rejects.toThrow(/no principal/);
    const numericId = await signRaw(keys.privateKeyPem, { principal: { id: 1, teams: [] } });
    await expect(keys.verifier.verify(numericId)).rejects.toThrow(/no principal/);
  });

  it('refuses a token meant for another audience', async () => {
    const token = await new SignJWT({ principal: alice, rid: 'r' })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('gateway')
      .setAudience('someone-else')
      .setExpirationTime('60s')
      .sign(await importPKCS8(keys.privateKeyPem, 'ES256'));
    await expect(keys.verifier.verify(token)).rejects.toThrow(/aud/);
  });

  describe('expiry', () => {
    let clock: number;
    const advance = (seconds: number) => {
      clock += seconds * 1000;
    };

    beforeEach(() => {
      clock = Date.now();
    });

    const shortLived = () =>
      createInternalTokenSigner({
        privateKeyPem: keys.privateKeyPem,
        issuer: 'gateway',
        ttlSeconds: 5,
      });
    const verifierAtClock = () =>
      createInternalTokenVerifier({
        publicKeyPem: keys.publicKeyPem,
        issuers: ['gateway'],
        now: () => clock,
      });

    it('refuses a token once its lifetime has passed', async () => {
      const token = await (await shortLived()).sign(alice, 'r');
      const verifier = await verifierAtClock();
      advance(6);
      await expect(verifier.verify(token)).rejects.toThrow(/exp/);
    });

    it('refuses an expired token even when it was verified (and cached) while valid', async () => {
      const token = await (await shortLived()).sign(alice, 'r');
      const verifier = await verifierAtClock();
      await expect(verifier.verify(token)).resolves.toMatchObject({ requestId: 'r' });
      advance(3);
      await expect(verifier.verify(token)).resolves.toMatchObject({ requestId: 'r' });
      advance(3);
      await expect(verifier.verify(token)).rejects.toThrow(/exp/);
      // The expired entry is not resurrected by a later call either.
      await expect(verifier.verify(token)).rejects.toThrow(/exp/);
    });

    it('keeps verifying correctly when the cache is full', async () => {
      const signer = await shortLived();
      const verifier = await createInternalTokenVerifier({
        publicKeyPem: keys.publicKeyPem,
        issuers: ['gateway'],
        cacheSize: 2,
        now: () => clock,
      });
      const tokens = await Promise.all(['a', 'b', 'c'].map((rid) => signer.sign(alice, rid)));
      for (const token of tokens) await verifier.verify(token);
      // The first token was evicted; it must be verified afresh, expiry included.
      await expect(verifier.verify(tokens[0])).resolves.toMatchObject({ requestId: 'a' });
      advance(6);
      for (const token of tokens) await expect(verifier.verify(token)).rejects.toThrow(/exp/);
    });
  });
});
