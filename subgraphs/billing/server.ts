import type { DrainOptions } from '../../lib/http/drain.js';
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import type { InternalTokenSigner } from '../../lib/auth/internal-token.js';
import type { Principal } from '../../lib/auth/principal.js';
import { runMigrations, type Db } from '../../lib/db/index.js';
import type { LocalRoutes } from '../../lib/http/local-routes.js';
import { createServiceMetrics } from '../../lib/metrics.js';
import { createServiceClient } from '../../lib/service-client.js';
import { createSubgraphServer, type SubgraphBaseDeps } from '../../lib/subgraph/subgraph-server.js';
import { createAuditClient } from './clients/audit-client.js';
import { createWalletClient } from './clients/wallet-client.js';
import { createWalletReads } from './clients/wallet-reads.js';
import type { BillingSettings } from './config.js';
import type { BillingContext } from './context.js';
import { createBillingInternalRoutes } from './internal-routes.js';
import { createBillingLoaders } from './loaders.js';
import { billingPermissions } from './permissions.js';
import { resolvers } from './resolvers/index.js';
import { createBilling } from './service/billing.js';
import type { PaymentProvider } from './service/payment-provider.js';
import { billingMigrations } from './store/migrations.js';

export const BILLING_SCHEMA = 'billing';
export const billingTypeDefs = parse(
  readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'),
);

/** The billing service as it speaks to the wallet and policy: for itself, never for a caller. */
export const BILLING_PRINCIPAL = (orgId: string): Principal => ({
  id: 'service:billing',
  kind: 'SERVICE',
  orgId,
  roles: [],
  scopes: ['wallet:fund'],
  teams: [],
});

/** How long billing waits for the wallet or policy on one call. */
const SERVICE_CALL_TIMEOUT_MS = 10_000;

export interface BillingDeps extends SubgraphBaseDeps {
  /** The service's own database (schema `billing`). */
  db: Db;
  /** The payment provider (Stripe, or the local test-mode provider). */
  provider: PaymentProvider;
  /** Signs the service's own token (issuer `billing`). */
  signer: InternalTokenSigner;
  /** GraphQL URLs of the subgraphs billing calls. */
  services: { wallet: string; policy: string };
  settings: BillingSettings;
  /**
   * Services in this process, reached without a socket (lib/http/local-routes.ts).
   * @default none: every call goes over HTTP
   */
  localRoutes?: LocalRoutes;
  /** @default 'default' */
  orgId?: string;
  now?: () => Date;
}

export async function prepareBillingStore(db: Db): Promise<void> {
  await runMigrations(db, billingMigrations);
}

/** The billing subgraph: buying credits through the payment provider, exactly once. */
export function createBillingSubgraph(deps: BillingDeps) {
  const metrics = deps.metrics ?? createServiceMetrics('billing');
  const client = createServiceClient({
    signer: deps.signer,
    principal: BILLING_PRINCIPAL(deps.orgId ?? 'default'),
    timeoutMs: SERVICE_CALL_TIMEOUT_MS,
    localRoutes: deps.localRoutes,
  });
  const billing = createBilling({
    db: deps.db,
    provider: deps.provider,
    wallet: createWalletClient({ client, walletUrl: deps.services.wallet }),
    walletReads: createWalletReads({ client, walletUrl: deps.services.wallet }),
    audit: createAuditClient({ client, policyUrl: deps.services.policy, logger: deps.logger }),
    settings: deps.settings,
    logger: deps.logger,
    metrics,
    now: deps.now,
  });
  const server = createSubgraphServer<BillingContext>({
    name: 'billing',
    typeDefs: billingTypeDefs,
    resolvers,
    permissions: billingPermissions,
    buildContext: (base) => ({
      ...base,
      loaders: createBillingLoaders({
        purchases: billing.purchases,
        refunds: billing.refunds.store,
        disputes: billing.disputes.store,
        autoRecharge: billing.autoRecharge,
      }),
      billing,
    }),
    verifier: deps.verifier,
    logger: deps.logger,
    metrics,
    production: deps.production,
    checkReady: () => deps.db.ping(),
    routes: createBillingInternalRoutes(deps.verifier, billing.ingest),
  });
  return {
    ...server,
    async start() {
      await server.start();
      billing.start();
    },
    async stop(drain?: DrainOptions) {
      await billing.stop();
      await server.stop(drain);
      // Audit events are written in batches in the background: none is lost on a clean stop.
      await billing.flush();
      await client.close();
    },
  };
}
