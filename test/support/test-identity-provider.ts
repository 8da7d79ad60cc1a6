import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, type JWTPayload } from 'jose';
import type { OidcConfig } from '../../gateway/config.js';

export const TEST_ISSUER = 'https://idp.test';
export const TEST_AUDIENCE = 'modelgraph';
const KID = 'idp-key-1';

/**
 * An identity provider for tests: an RS256 key pair whose public half is published as a JWKS
 * file, the gateway's OIDC settings that trust it, and a signer of user tokens.
 */
export async function startTestIdentityProvider() {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const dir = await mkdtemp(join(tmpdir(), 'modelgraph-idp-'));
  const jwksFile = join(dir, 'jwks.json');
  const jwk = { ...(await exportJWK(publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
  await writeFile(jwksFile, JSON.stringify({ keys: [jwk] }));
  const oidc: OidcConfig = {
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    jwksFile,
    jwksUrl: undefined,
    algorithms: ['RS256'],
    rolesClaim: 'roles',
    adminRole: 'modelgraph-admin',
  };
  return {
    oidc,
    privateKey,
    publicKey,
    /** A user token for `sub`; `expiresIn: null` leaves out `exp`. @default expiresIn '5m' */
    token(sub: string, options: { expiresIn?: string | number | null; claims?: JWTPayload } = {}) {
      const jwt = new SignJWT({ ...options.claims })
        .setProtectedHeader({ alg: 'RS256', kid: KID })
        .setIssuer(TEST_ISSUER)
        .setAudience(TEST_AUDIENCE)
        .setSubject(sub)
        .setIssuedAt();
      const expiresIn = options.expiresIn === undefined ? '5m' : options.expiresIn;
      if (expiresIn !== null) jwt.setExpirationTime(expiresIn);
      return jwt.sign(privateKey);
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

export type TestIdentityProvider = Awaited<ReturnType<typeof startTestIdentityProvider>>;
