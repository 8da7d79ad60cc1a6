import { ISSUERS, createInternalTokenSigner } from '../../lib/auth/internal-token.js';
import { openSubgraphDb, runSubgraphMain } from '../../lib/subgraph/run-subgraph.js';
import { loadBillingConfig } from './config.js';
import { BILLING_SCHEMA, createBillingSubgraph, prepareBillingStore } from './server.js';
import { createPaymentProvider } from './service/payment-provider.js';

const config = loadBillingConfig();

await runSubgraphMain(config, async (common) => {
  if (!config.provider) {
    throw new Error(
      'STRIPE_SECRET_KEY is not set: run billing alone with a provider key, or use `npm start`, which runs the local test-mode provider.',
    );
  }
  const db = await openSubgraphDb(config, BILLING_SCHEMA);
  await prepareBillingStore(db);
  const signer = await createInternalTokenSigner({
    privateKeyPem: config.internalPrivateKeyPem,
    issuer: ISSUERS.billing,
  });
  const server = createBillingSubgraph({
    ...common,
    db,
    provider: createPaymentProvider(config.provider),
    signer,
    services: config.services,
    settings: config.settings,
  });
  return { server, close: () => db.close() };
});
