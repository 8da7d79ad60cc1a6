import {
  createInternalTokenSigner,
  createPlatformVerifier,
  ISSUERS,
} from '../../lib/auth/internal-token.js';
import { createOrchestrationSubgraph } from '../../subgraphs/orchestration/server.js';
import { createRunStore } from '../../subgraphs/orchestration/store/run-store.js';
import { eventually } from './eventually.js';
import { silentLogger } from './identities.js';
import type { Stack } from './stack.js';

/**
 * Stops the stack's orchestration subgraph (its runs under way are left to their leases, as a
 * replica that goes away leaves them) and starts another over the same database, reaching the
 * other subgraphs over HTTP: the replica that resumes them.
 */
export async function restartOrchestration(stack: Stack, options: { runLeaseMs: number }) {
  await stack.stopSubgraph('orchestration');
  const server = createOrchestrationSubgraph({
    verifier: await createPlatformVerifier(stack.internalKeys.publicKeyPem),
    production: false,
    db: stack.dbs.orchestration,
    signer: await createInternalTokenSigner({
      privateKeyPem: stack.internalKeys.privateKeyPem,
      issuer: ISSUERS.orchestration,
    }),
    services: {
      policy: stack.subgraphUrls.policy!,
      wallet: stack.subgraphUrls.wallet!,
      inference: stack.subgraphUrls.inference!,
      catalog: stack.subgraphUrls['model-catalog']!,
    },
    runLeaseMs: options.runLeaseMs,
    logger: silentLogger,
  });
  await server.start();
  const runs = createRunStore(stack.dbs.orchestration);
  return {
    runWhenEnded: (id: string) =>
      eventually(
        `run ${id} ended on the new replica`,
        async () => {
          const run = await runs.byId(id);
          return run && !['QUEUED', 'RUNNING'].includes(run.status) ? run : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 100 },
      ),
    steps: (id: string) => runs.steps(id),
    stop: () => server.stop(),
  };
}
