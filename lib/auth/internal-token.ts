import {
  SignJWT,
  exportPKCS8,
  exportSPKI,
  generateKeyPair,
  importPKCS8,
  importSPKI,
  jwtVerify,
  type CryptoKey,
  type JWTPayload,
} from 'jose';
import type { Principal } from './principal.js';
import { createTtlCache } from '../ttl-cache.js';

/**
 * The gateway tells subgraphs who is calling with a short-lived ES256 token it signs; subgraphs
 * hold only the public key and refuse anything else, so a request that bypasses the gateway (or
 * forges a principal) gets nothing.
 */
export const INTERNAL_TOKEN_HEADER = 'x-modelgraph-internal-token';
const ALG = 'ES256';
const AUDIENCE = 'modelgraph-subgraphs';

export interface InternalClaims {
  principal: Principal;
  requestId: string;
  /**
   * The service acting for `principal` (`service:orchestration` running a user's flow), when the
   * token is a delegated one (RFC 8693's `act` claim); absent when the principal calls itself
   * through the gateway, or a service speaks for itself.
   */
  actor?: string;
  /** Seconds since the epoch. */
  exp: number;
}

export interface InternalTokenSigner {
  /** With `actor`, a delegated token: the service `actor` acting for `principal`. */
  sign(principal: Principal, requestId: string, actor?: string): Promise<string>;
}

export interface InternalTokenVerifier {
  /** The claims of a valid token; throws when the token is missing, forged or expired. */
  verify(token: string | undefined): Promise<InternalClaims>;
}

export async function createInternalTokenSigner(options: {
  privateKeyPem: string;
  issuer: string;
  /** @default 60 */
  ttlSeconds?: number;
}): Promise<InternalTokenSigner> {
  const key = await importPKCS8(options.privateKeyPem, ALG);
  const ttl = options.ttlSeconds ?? 60;
  return {
    sign: (principal, requestId, actor) =>
      new SignJWT({ principal, rid: requestId, ...(actor ? { act: { sub: actor } } : {}) })
        .setProtectedHeader({ alg: ALG })
        .setIssuer(options.issuer)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${ttl}s`)
        .sign(key),
  };
}

/** A signer that reuses tokens, and can bind one fixed principal (a service's own identity). */
export interface ReusingSigner extends InternalTokenSigner {
  /**
   * The reused token of `principal`, keyed once here rather than on every call: a service signs
   * for itself on every internal call, on the paid path.
   */
  forPrincipal(principal: Principal): (requestId: string) => Promise<string>;
}

/**
 * The one token-reuse implementation (the gateway's forwarded tokens and every service client's
 * own): one signed token per principal for `reuseMs` (well inside the token's 60 s life).
 * Signing costs an ES256 operation per request, and subgraphs' verifiers answer a token they have
 * seen from their cache. Each request is still authenticated first; a changed principal (a new
 * role, say) is a different key and gets a fresh token. The token's `rid` is the request that
 * first used it; the `x-request-id` header carries each request's own. A signature that fails is
 * forgotten, so the next call signs afresh.
 */
export function reuseTokens(
  signer: InternalTokenSigner,
  options: { reuseMs?: number; maxEntries?: number; now?: () => number } = {},
): ReusingSigner {
  const tokens = createTtlCache<Promise<string>>({
    ttlMs: options.reuseMs ?? 20_000,
    max: options.maxEntries,
    now: options.now,
  });
  const tokenOf = (key: string, principal: Principal, requestId: string, actor?: string) => {
    const hit = tokens.get(key);
    if (hit) return hit;
    const token = signer.sign(principal, requestId, actor);
    tokens.set(key, token);
    token.catch(() => tokens.delete(key));
    return token;
  };
  return {
    sign: (principal, requestId, actor) =>
      tokenOf(`${actor ?? ''}|${JSON.stringify(principal)}`, principal, requestId, actor),
    forPrincipal(principal) {
      const key = `|${JSON.stringify(principal)}`;
      return (requestId) => tokenOf(key, principal, requestId);
    },
  };
}

/**
 * Verifies tokens and remembers the ones it verified until they expire: one client request fans
 * out to several subgraph fetches carrying the same token, and verifying ES256 costs more than a
 * map lookup.
 */
export async function createInternalTokenVerifier(options: {
  publicKeyPem: string;
  /** Signers accepted: the gateway, and services that call each other. */
  issuers: string[];
  /**
   * Issuers whose tokens must carry a SERVICE principal: a service speaks for itself, never for
   * a user or key (only the gateway does that). @default []
   */
  serviceOnlyIssuers?: string[];
  /**
   * Service issuers that may also act for a caller: their token carries the caller's principal
   * and `act: { sub: 'service:<issuer>' }` (orchestration running a user's flow steps through
   * inference). @default []
   */
  delegatingIssuers?: string[];
  /** @default 10_000 */
  cacheSize?: number;
  now?: () => number;
}): Promise<InternalTokenVerifier> {
  const key: CryptoKey = await importSPKI(options.publicKeyPem, ALG);
  const cacheSize = options.cacheSize ?? 10_000;
  const now = options.now ?? Date.now;
  const verified = new Map<string, InternalClaims>();
  const serviceOnly = new Set(options.serviceOnlyIssuers ?? []);
  const delegating = new Set(options.delegatingIssuers ?? []);

  return {
    async verify(token) {
      if (!token) throw new Error('missing internal token');
      const hit = verified.get(token);
      if (hit) {
        if (hit.exp * 1000 > now()) return hit;
        verified.delete(token);
      }
      const { payload } = await jwtVerify(token, key, {
        algorithms: [ALG],
        audience: AUDIENCE,
        issuer: options.issuers,
        currentDate: new Date(now()),
      });
      const principal = payload.principal as Principal | undefined;
      if (!principal || typeof principal.id !== 'string' || !Array.isArray(principal.teams)) {
        throw new Error('internal token carries no principal');
      }
      const actor = actorOf(payload, principal, serviceOnly, delegating);
      // Frozen: the cache hands the same object to every request carrying this token.
      const claims: InternalClaims = deepFreeze({
        principal,
        requestId: String(payload.rid ?? ''),
        exp: payload.exp ?? 0,
        ...(actor ? { actor } : {}),
      });
      if (verified.size >= cacheSize) {
        const oldest = verified.keys().next().value;
        if (oldest !== undefined) verified.delete(oldest);
      }
      verified.set(token, claims);
      return claims;
    },
  };
}

/**
 * Who acts for `principal`: nobody (the gateway for a caller, a service for itself), or a
 * delegating service, whose `act.sub` must name itself. Anything else is refused: a service
 * speaking for someone without delegation, or claiming to be another actor.
 */
function actorOf(
  payload: JWTPayload,
  principal: Principal,
  serviceOnly: ReadonlySet<string>,
  delegating: ReadonlySet<string>,
): string | undefined {
  const issuer = payload.iss ?? '';
  const act = (payload.act as { sub?: unknown } | undefined)?.sub;
  if (act === undefined) {
    if (serviceOnly.has(issuer) && principal.kind !== 'SERVICE') {
      throw new Error(`issuer ${issuer} may only speak for itself`);
    }
    return undefined;
  }
  if (!delegating.has(issuer) || act !== `service:${issuer}` || principal.kind === 'SERVICE') {
    throw new Error(`issuer ${issuer} may not act for ${principal.id} as ${String(act)}`);
  }
  return act;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * Who signs internal tokens: the gateway (for callers) and the inference service (for itself, when
 * it asks policy for decisions and the wallet for holds). Both hold the platform's private key.
 */
export const ISSUERS = {
  gateway: 'gateway',
  inference: 'inference',
  billing: 'billing',
  orchestration: 'orchestration',
} as const;

/**
 * The verifier every subgraph uses: the gateway speaks for callers and services for themselves;
 * orchestration may also act for the creator of a flow run (its steps are policed and paid as
 * that caller's calls would be, and the subgraph sees `actor`).
 */
export function createPlatformVerifier(publicKeyPem: string): Promise<InternalTokenVerifier> {
  return createInternalTokenVerifier({
    publicKeyPem,
    issuers: [ISSUERS.gateway, ISSUERS.inference, ISSUERS.billing, ISSUERS.orchestration],
    serviceOnlyIssuers: [ISSUERS.inference, ISSUERS.billing, ISSUERS.orchestration],
    delegatingIssuers: [ISSUERS.orchestration],
  });
}

/** A fresh P-256 key pair as PEM, for `npm start`, tests and `npm run keys`. */
export async function generateInternalKeyPair(): Promise<{
  privateKeyPem: string;
  publicKeyPem: string;
}> {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  return {
    privateKeyPem: await exportPKCS8(privateKey),
    publicKeyPem: await exportSPKI(publicKey),
  };
}
