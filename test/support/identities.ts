import {
  createInternalTokenSigner,
  createPlatformVerifier,
  generateInternalKeyPair,
  type InternalTokenSigner,
  type InternalTokenVerifier,
} from '../../lib/auth/internal-token.js';
import {
  ROLE_SCOPES,
  type Principal,
  type Scope,
  type TeamRole,
} from '../../lib/auth/principal.js';
import { createLogger } from '../../lib/logging.js';

export const silentLogger = createLogger({ service: 'test', level: 'silent' });

export interface TestKeys {
  privateKeyPem: string;
  publicKeyPem: string;
  signer: InternalTokenSigner;
  verifier: InternalTokenVerifier;
}

/** A fresh internal key pair with a gateway signer and a subgraph verifier. */
export async function createTestKeys(): Promise<TestKeys> {
  const pair = await generateInternalKeyPair();
  return {
    ...pair,
    signer: await createInternalTokenSigner({
      privateKeyPem: pair.privateKeyPem,
      issuer: 'gateway',
    }),
    verifier: await createPlatformVerifier(pair.publicKeyPem),
  };
}

export const orgAdmin = (): Principal => ({
  id: 'admin',
  kind: 'API_KEY',
  orgId: 'default',
  roles: ['ORG_ADMIN'],
  scopes: [],
  teams: [],
});

export const teamUser = (
  teamId: string,
  role: TeamRole,
  id = `user:${role.toLowerCase()}`,
): Principal => ({
  id,
  kind: 'USER',
  orgId: 'default',
  roles: [],
  scopes: [],
  teams: [{ id: teamId, role, scopes: [...ROLE_SCOPES[role]] }],
});

export const teamKey = (teamId: string, scopes: Scope[], id = 'key:test'): Principal => ({
  id,
  kind: 'API_KEY',
  orgId: 'default',
  roles: [],
  scopes: [],
  teams: [{ id: teamId, role: null, scopes }],
});
