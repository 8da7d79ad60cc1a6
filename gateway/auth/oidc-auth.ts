import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { GRANTS_CACHE_TTL_MS, STALE_GRANTS, credentialCacheKey } from '../../lib/auth/api-key.js';
import type { Principal, TeamGrant } from '../../lib/auth/principal.js';
import type { Kv } from '../../lib/kv/index.js';
import type { Logger } from '../../lib/logging.js';
import type { OidcConfig } from '../config.js';
import { AuthenticationError, AuthenticationUnavailableError } from './errors.js';
import type { PolicyClient } from './policy-client.js';

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export function looksLikeJwt(token: string): boolean {
  return JWT.test(token);
}

function claimList(payload: JWTPayload, claim: string): string[] {
  const value = claim
    .split('.')
    .reduce<unknown>(
      (node, part) =>
        node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined,
      payload,
    );
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? value.split(' ') : [];
}

/**
 * People sign in with their organization's OIDC provider. The token says who they are (and whether
 * they hold the admin role); their teams and roles come from the policy subgraph, cached briefly.
 */
export function createOidcAuthenticator(
  config: OidcConfig,
  deps: { kv: Kv; policy: PolicyClient; logger: Logger; orgId: string },
) {
  const keys = config.jwksUrl
    ? createRemoteJWKSet(new URL(config.jwksUrl))
    : createLocalJWKSet(JSON.parse(readFileSync(config.jwksFile as string, 'utf8')));

  const grantsOf = async (subject: string, requestId: string): Promise<TeamGrant[]> => {
    const cacheKey = credentialCacheKey.user(subject);
    const cached = await deps.kv.get(cacheKey).catch(() => null);
    if (cached && cached !== STALE_GRANTS) return JSON.parse(cached) as TeamGrant[];
    let teams: TeamGrant[];
    try {
      ({ teams } = await deps.policy.userGrants(subject, requestId));
    } catch (error) {
      deps.logger.error({ err: error }, 'policy unreachable for user grants');
      throw new AuthenticationUnavailableError(
        'Credentials cannot be checked right now; try again.',
      );
    }
    if (cached !== STALE_GRANTS) {
      await deps.kv
        .set(cacheKey, JSON.stringify(teams), { ttlMs: GRANTS_CACHE_TTL_MS, onlyIfAbsent: true })
        .catch(() => undefined);
    }
    return teams;
  };

  return async (token: string, requestId: string): Promise<Principal> => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: config.algorithms,
        // A token without an expiry would be valid forever.
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      deps.logger.info({ reason: (error as Error).message }, 'token refused');
      throw new AuthenticationError('The token is invalid or expired.');
    }
    if (!payload.sub) throw new AuthenticationError('The token has no subject.');
    const admin = claimList(payload, config.rolesClaim).includes(config.adminRole);
    return {
      id: `user:${payload.sub}`,
      kind: 'USER',
      orgId: deps.orgId,
      roles: admin ? ['ORG_ADMIN'] : [],
      scopes: [],
      teams: await grantsOf(payload.sub, requestId),
    };
  };
}
