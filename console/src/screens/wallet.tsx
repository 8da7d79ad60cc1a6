import { useEffect, useState } from 'react';
import { TeamWalletDocument } from '../generated/graphql';
import { Amount } from '../parts/amount';
import { DataTable } from '../parts/data-table';
import { ErrorNote } from '../parts/error-note';
import { awaitedPurchase } from '../purchase-return';
import { useQuery } from '../use-query';
import { useViewer } from '../viewer';

/** How often the wallet is read again after a checkout, until the credits arrive. */
const AFTER_CHECKOUT_POLL_MS = 1_000;

/** The team's wallet: balance, budget and its alerts, open holds, recent transactions. */
export default function Wallet() {
  const { team } = useViewer();
  const { data, error, refetch } = useQuery(TeamWalletDocument, { teamId: team?.id ?? '' });
  const returned = new URLSearchParams(window.location.search).get('checkout') === 'success';
  const wallet = data?.team?.wallet;
  // The purchase's credits arrive as a GRANT naming it.
  const purchaseId = awaitedPurchase();
  const listed = wallet?.transactions.edges.some(
    ({ node }) => node.kind === 'GRANT' && node.purchaseId === purchaseId,
  );
  // Back from the payment page: credits arrive when the provider's event does, so read again.
  const waiting = returned && purchaseId !== null && !listed;
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(() => void refetch(), AFTER_CHECKOUT_POLL_MS);
    return () => clearInterval(timer);
  }, [waiting, refetch]);
  // The balance is read before the transactions, so the read that first lists the GRANT can show
  // the balance from just before it: one more read, once it is listed, shows the balance with it.
  const [confirmed, setConfirmed] = useState(false);
  useEffect(() => {
    if (!returned || !listed || confirmed) return;
    void refetch().then(() => setConfirmed(true));
  }, [returned, listed, confirmed, refetch]);
  const arrived = listed && confirmed;

  return (
    <>
      <h1>Wallet</h1>
      {returned && (
        <p role="status">
          {arrived
            ? 'Payment received: the credits are in the wallet.'
            : 'Payment sent. The credits arrive once the payment provider confirms it; this page updates by itself.'}
        </p>
      )}
      <ErrorNote error={error} />
      {wallet && (
        <>
          {wallet.suspended && (
            <p role="alert">Suspended: {wallet.suspendedReason ?? 'no new calls are accepted'}.</p>
          )}
          <h2>Balance</h2>
          <dl className="figures">
            <dt>Available</dt>
            <dd data-testid="available">
              <Amount micros={wallet.balance.available} />
            </dd>
            <dt>Posted</dt>
            <dd data-testid="posted">
              <Amount micros={wallet.balance.posted} />
            </dd>
            <dt>Held</dt>
            <dd>
              <Amount micros={wallet.balance.held} />
            </dd>
            {wallet.balance.owed !== '0' && (
              <>
                <dt>Owed</dt>
                <dd>
                  <Amount micros={wallet.balance.owed} />
                </dd>
              </>
            )}
          </dl>
          <h2>Budget</h2>
          {wallet.budget ? (
            <dl className="figures">
              <dt>Monthly limit</dt>
              <dd>
                <Amount micros={wallet.budget.monthlyLimit} />
              </dd>
              <dt>Spent this month</dt>
              <dd>
                <Amount micros={wallet.budget.monthToDateSpend} />
              </dd>
              <dt>Remaining</dt>
              <dd>
                <Amount micros={wallet.budget.remaining} />
              </dd>
              <dt>Alerts</dt>
              <dd>
                {wallet.budget.alertThresholds.map((t) => `${t}%`).join(', ') || 'none'}
                {wallet.budget.alertsReached.length > 0 &&
                  ` (reached: ${wallet.budget.alertsReached.map((t) => `${t}%`).join(', ')})`}
              </dd>
            </dl>
          ) : (
            <p>No budget set.</p>
          )}
          <h2>Open holds</h2>
          {wallet.holds.length === 0 ? (
            <p>None.</p>
          ) : (
            <ul>
              {wallet.holds.map((h) => (
                <li key={h.id}>
                  <Amount micros={h.amount} /> ({h.purpose.toLowerCase()}), until{' '}
                  {new Date(h.expiresAt).toLocaleString()}
                </li>
              ))}
            </ul>
          )}
          <h2>Transactions</h2>
          <DataTable
            caption={`Latest ${wallet.transactions.edges.length} of ${wallet.transactions.totalCount}`}
            rows={wallet.transactions.edges.map((edge) => edge.node)}
            rowKey={(t) => t.id}
            columns={[
              { header: 'When', cell: (t) => new Date(t.createdAt).toLocaleString() },
              { header: 'Kind', cell: (t) => t.kind.toLowerCase() },
              { header: 'Amount', cell: (t) => <Amount micros={t.postedChange} /> },
              { header: 'Memo', cell: (t) => t.memo ?? '' },
            ]}
          />
        </>
      )}
    </>
  );
}
