import { z } from 'zod';
import {
  commonEnv,
  drainSettings,
  flag,
  optionalSecret,
  optionalString,
  optionalUrl,
  parseConfig,
  pem,
  port,
} from '../lib/config.js';
import { DEFAULT_OPERATION_LIMITS } from './plugins/operation-limits.js';
import { DEFAULT_PERSISTED_QUERIES } from './persisted-queries/persisted-query-cache.js';
import type { TrustedDocumentsMode } from './trusted-documents/trusted-documents.js';

/** Trusted documents at the gateway (decision 81). */
export interface TrustedDocumentsConfig {
  /** @default 'require' in production, 'off' otherwise */
  mode: TrustedDocumentsMode;
  /** Largest total of document bodies cached in process. @default 32 MiB */
  cacheBytes: number;
  /** How long an id not registered for a client is cached as such. @default 5000 */
  negativeTtlMs: number;
}
import { DEFAULT_USAGE_SETTINGS } from './usage/usage-recorder.js';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const csv = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() !== '' ? v.split(',').map((s) => s.trim()) : undefined),
  z.array(z.string()).optional(),
);

/**
 * The supergraph's subgraphs (schema/supergraph.yaml): the gateway reads a `<NAME>_URL` override
 * for each. `npm run subgraph:new` adds a new one here.
 */
export const SUBGRAPH_NAMES = [
  'model-catalog',
  'inference',
  'wallet',
  'policy',
  'billing',
  'orchestration',
];

/** A subgraph's URL variable: `model-catalog` → `MODEL_CATALOG_URL`. */
export const subgraphUrlVariable = (name: string) =>
  `${name.toUpperCase().replaceAll('-', '_')}_URL`;

const subgraphUrlEnv = Object.fromEntries(
  SUBGRAPH_NAMES.map((name) => [subgraphUrlVariable(name), optionalUrl]),
);

const GatewayEnv = z
  .object({
    ...commonEnv,
    PORT: port(4000),
    HOST: z.string().default('127.0.0.1'),
    MODELGRAPH_ORG_ID: z.string().default('default'),
    MODELGRAPH_ADMIN_KEY: optionalSecret(32),
    MODELGRAPH_INTERNAL_PRIVATE_KEY: pem('PRIVATE KEY'),
    SUPERGRAPH_PATH: z.string().default('schema/supergraph.graphql'),
    ...subgraphUrlEnv,
    OIDC_ISSUER: optionalString,
    OIDC_AUDIENCE: optionalString,
    OIDC_JWKS_URL: optionalUrl,
    OIDC_JWKS_FILE: optionalString,
    OIDC_ALGORITHMS: csv,
    OIDC_ROLES_CLAIM: z.string().default('roles'),
    OIDC_ADMIN_ROLE: z.string().default('modelgraph-admin'),
    OIDC_CONSOLE_CLIENT_ID: optionalString,
    OIDC_CONSOLE_SCOPES: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined),
      z.string().default('openid'),
    ),
    OIDC_CONSOLE_REDIRECT_URI: optionalUrl,
    APQ_ENABLED: flag(DEFAULT_PERSISTED_QUERIES.enabled),
    APQ_TTL_SECONDS: positiveInt(DEFAULT_PERSISTED_QUERIES.ttlSeconds),
    APQ_MAX_DOCUMENT_BYTES: positiveInt(DEFAULT_PERSISTED_QUERIES.maxDocumentBytes),
    APQ_EMBEDDED_MAX_BYTES: positiveInt(DEFAULT_PERSISTED_QUERIES.embeddedMaxBytes),
    MAX_BODY_BYTES: positiveInt(1024 * 1024),
    GRAPHQL_MAX_DEPTH: positiveInt(DEFAULT_OPERATION_LIMITS.maxDepth),
    GRAPHQL_MAX_ALIASES: positiveInt(DEFAULT_OPERATION_LIMITS.maxAliases),
    GRAPHQL_MAX_TOKENS: positiveInt(DEFAULT_OPERATION_LIMITS.maxTokens),
    GRAPHQL_MAX_COST: positiveInt(DEFAULT_OPERATION_LIMITS.maxCost),
    TRUSTED_DOCUMENTS: z.enum(['off', 'log', 'require']).optional(),
    TRUSTED_DOCUMENTS_CACHE_MB: positiveInt(32),
    TRUSTED_DOCUMENTS_NEGATIVE_TTL_MS: z.coerce.number().int().min(0).default(5_000),
    USAGE_ENABLED: flag(DEFAULT_USAGE_SETTINGS.enabled),
    USAGE_FLUSH_INTERVAL_MS: positiveInt(DEFAULT_USAGE_SETTINGS.flushIntervalMs),
    USAGE_MAX_PENDING: positiveInt(DEFAULT_USAGE_SETTINGS.maxPending),
  })
  .superRefine((env, ctx) => {
    if (!env.MODELGRAPH_INTERNAL_PRIVATE_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['MODELGRAPH_INTERNAL_PRIVATE_KEY'],
        message:
          'required: the PKCS#8 PEM the gateway signs internal tokens with (npm run keys makes a pair)',
      });
    }
    if ((env.OIDC_JWKS_URL || env.OIDC_JWKS_FILE) && (!env.OIDC_ISSUER || !env.OIDC_AUDIENCE)) {
      ctx.addIssue({
        code: 'custom',
        path: ['OIDC_ISSUER'],
        message: 'OIDC needs OIDC_ISSUER and OIDC_AUDIENCE',
      });
    }
    if (env.OIDC_CONSOLE_CLIENT_ID && !(env.OIDC_JWKS_URL || env.OIDC_JWKS_FILE)) {
      ctx.addIssue({
        code: 'custom',
        path: ['OIDC_CONSOLE_CLIENT_ID'],
        message:
          'console sign-in with OIDC needs the gateway to accept OIDC tokens: set OIDC_ISSUER, OIDC_AUDIENCE and OIDC_JWKS_URL or OIDC_JWKS_FILE',
      });
    }
  });

export type GatewayEnv = z.infer<typeof GatewayEnv>;

/** Sign-in to the web console through the identity provider (decision 94). */
export interface ConsoleSignInConfig {
  /** The console's client id at the identity provider: a public client, no secret. */
  clientId: string;
  /** Space-separated scopes the console asks for. @default 'openid' */
  scopes: string;
  /** Registered redirect URI. @default `<the console's origin>/console/callback`, in the browser */
  redirectUri: string | undefined;
}

/** How the gateway trusts an identity provider's tokens. */
interface OidcSettings {
  issuer: string;
  audience: string;
  jwksUrl: string | undefined;
  jwksFile: string | undefined;
  algorithms: string[];
  rolesClaim: string;
  adminRole: string;
  /** Offered on the console's sign-in screen when set (OIDC_CONSOLE_CLIENT_ID). */
  console?: ConsoleSignInConfig;
}

/** The identity provider the gateway trusts, when a JWKS is configured. */
function oidcSettings(e: GatewayEnv): OidcSettings | undefined {
  return e.OIDC_JWKS_URL || e.OIDC_JWKS_FILE
    ? {
        issuer: e.OIDC_ISSUER as string,
        audience: e.OIDC_AUDIENCE as string,
        jwksUrl: e.OIDC_JWKS_URL,
        jwksFile: e.OIDC_JWKS_FILE,
        algorithms: e.OIDC_ALGORITHMS ?? ['RS256', 'ES256'],
        rolesClaim: e.OIDC_ROLES_CLAIM,
        adminRole: e.OIDC_ADMIN_ROLE,
        console: e.OIDC_CONSOLE_CLIENT_ID
          ? {
              clientId: e.OIDC_CONSOLE_CLIENT_ID,
              scopes: e.OIDC_CONSOLE_SCOPES,
              redirectUri: e.OIDC_CONSOLE_REDIRECT_URI,
            }
          : undefined,
      }
    : undefined;
}

/** The gateway's configuration, from the environment; throws listing every bad variable. */
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseConfig(GatewayEnv, env);
  return {
    production: e.NODE_ENV === 'production',
    logLevel: e.LOG_LEVEL,
    drain: drainSettings(e),
    port: e.PORT,
    host: e.HOST,
    orgId: e.MODELGRAPH_ORG_ID,
    adminKey: e.MODELGRAPH_ADMIN_KEY,
    internalPrivateKeyPem: e.MODELGRAPH_INTERNAL_PRIVATE_KEY as string,
    redisUrl: e.REDIS_URL,
    supergraphPath: e.SUPERGRAPH_PATH,
    /** Each subgraph's URL where its `<NAME>_URL` overrides the supergraph's routing URL. */
    subgraphUrls: Object.fromEntries(
      SUBGRAPH_NAMES.map((name) => [
        name,
        (e as Record<string, unknown>)[subgraphUrlVariable(name)] as string | undefined,
      ]),
    ),
    oidc: oidcSettings(e),
    persistedQueries: {
      enabled: e.APQ_ENABLED,
      ttlSeconds: e.APQ_TTL_SECONDS,
      maxDocumentBytes: e.APQ_MAX_DOCUMENT_BYTES,
      embeddedMaxBytes: e.APQ_EMBEDDED_MAX_BYTES,
    },
    maxBodyBytes: e.MAX_BODY_BYTES,
    limits: {
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxAliases: e.GRAPHQL_MAX_ALIASES,
      maxTokens: e.GRAPHQL_MAX_TOKENS,
      maxCost: e.GRAPHQL_MAX_COST,
    },
    trustedDocuments: {
      mode: e.TRUSTED_DOCUMENTS ?? (e.NODE_ENV === 'production' ? 'require' : 'off'),
      cacheBytes: e.TRUSTED_DOCUMENTS_CACHE_MB * 1024 * 1024,
      negativeTtlMs: e.TRUSTED_DOCUMENTS_NEGATIVE_TTL_MS,
    } satisfies TrustedDocumentsConfig,
    usage: {
      enabled: e.USAGE_ENABLED,
      flushIntervalMs: e.USAGE_FLUSH_INTERVAL_MS,
      maxPending: e.USAGE_MAX_PENDING,
    },
  };
}

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;
export type OidcConfig = OidcSettings;
