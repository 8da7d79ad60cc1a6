import type { ServiceClient } from '../../../lib/service-client.js';
import type { RunPayments } from '../service/flows/run-executor.js';
import type { RunRow } from '../store/run-store.js';

/** A hold as the run's payments read it. */
export interface RunHold {
  id: string;
  status: 'PENDING' | 'CAPTURED' | 'VOIDED' | 'EXPIRED';
  amount: string;
  spentAmount: string;
}

const HOLD_FIELDS = 'id status amount spentAmount';
const AUTHORIZE = `mutation FlowRunHold($walletId: ID!, $amount: Micros!, $key: String!,
  $ttl: Int!, $metadata: HoldMetadataInput) {
  authorizeHold(walletId: $walletId, amount: $amount, idempotencyKey: $key,
    expiresInSeconds: $ttl, metadata: $metadata) { ${HOLD_FIELDS} }
}`;
const VOID = `mutation FlowRunVoid($holdId: ID!) { voidHold(holdId: $holdId) { ${HOLD_FIELDS} } }`;

/**
 * How long a run's hold lasts: the wallet's longest (a day). A run that outlives it keeps
 * running, and what its later steps cost is charged beyond the lapsed hold (spends are never
 * refused), so the hold's ttl bounds only how long unspent budget stays reserved after a crash.
 */
export const RUN_HOLD_TTL_SECONDS = 86_400;

/**
 * A flow run's money (decision 103): one wallet hold of purpose FLOW_RUN for `maxCost`, keyed by
 * the run's id so a resumed run finds the hold its first attempt took; each model step is spent
 * from it by inference; the rest is voided when the run ends. Called as orchestration itself
 * (wallet:hold). A refusal (INSUFFICIENT_FUNDS, BUDGET_EXCEEDED, WALLET_SUSPENDED) arrives as a
 * GraphQLError with the wallet's code; an unreachable wallet as ServiceUnavailableError.
 */
export function createRunWallet(options: {
  client: ServiceClient;
  walletUrl: string;
}): RunPayments {
  const { client, walletUrl } = options;
  return {
    async open(run: RunRow) {
      const data = await client.graphql<{ authorizeHold: RunHold }>(
        walletUrl,
        AUTHORIZE,
        {
          walletId: run.teamId,
          amount: String(run.maxCost),
          key: `flow-run:${run.id}`,
          ttl: RUN_HOLD_TTL_SECONDS,
          metadata: { purpose: 'FLOW_RUN', requestId: run.id, runId: run.id },
        },
        `flow-run:${run.id}`,
      );
      return data.authorizeHold.id;
    },

    async close(run: RunRow & { holdId: string }) {
      await client.graphql<{ voidHold: RunHold }>(
        walletUrl,
        VOID,
        { holdId: run.holdId },
        `flow-run:${run.id}`,
      );
    },
  };
}
