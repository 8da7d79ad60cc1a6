import type { AuditClient } from '../../clients/audit-client.js';
import type { WalletClient } from '../../clients/wallet-client.js';

/** What left credits owed, for the suspension's reason and its audit event. */
export interface OwedCause {
  teamId: string;
  owed: bigint;
  cause: 'refund' | 'dispute';
  targetType: 'Refund' | 'Dispute';
  targetId: string;
  requestId: string;
}

/**
 * With BILLING_SUSPEND_ON_OWED, a refund or a lost dispute that leaves credits owed suspends the
 * wallet's spending (setWalletSuspended is idempotent: suspending twice changes nothing), so a
 * team cannot keep calling on credits whose money went back. `suspend` runs before the refund or
 * dispute is recorded as settled (a failure leaves it to be retried); `audit` once it is.
 */
export function createOwedSuspension(deps: {
  enabled: boolean;
  wallet: WalletClient;
  audit: AuditClient;
}) {
  const applies = (owed: bigint) => deps.enabled && owed > 0n;
  return {
    async suspend(c: OwedCause): Promise<void> {
      if (!applies(c.owed)) return;
      await deps.wallet.setSuspended({
        teamId: c.teamId,
        suspended: true,
        reason: `A ${c.cause} of a purchase left ${c.owed} µcr owed.`,
        requestId: c.requestId,
      });
    },
    async audit(c: OwedCause): Promise<void> {
      if (!applies(c.owed)) return;
      await deps.audit.record({
        teamId: c.teamId,
        action: 'WALLET_SUSPENDED',
        outcome: 'SUCCEEDED',
        targetType: 'Wallet',
        targetId: c.teamId,
        details: { owedCredits: c.owed.toString(), cause: c.cause, [c.targetType]: c.targetId },
        requestId: c.requestId,
      });
    },
  };
}

export type OwedSuspension = ReturnType<typeof createOwedSuspension>;
