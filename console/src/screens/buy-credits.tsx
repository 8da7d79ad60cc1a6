import { useState, type FormEvent } from 'react';
import { request } from '../api/client';
import { ConsoleCreditPricesDocument, StartConsoleCheckoutDocument } from '../generated/graphql';
import { formatMoney } from '../money';
import { Amount } from '../parts/amount';
import { ErrorNote } from '../parts/error-note';
import { rememberPurchase } from '../purchase-return';
import { BASE } from '../router';
import { useQuery } from '../use-query';
import { useViewer } from '../viewer';
import { AutoRecharge } from './auto-recharge';

/**
 * Buying credits: billing's createCheckout, then the payment provider's page (the offline TEST
 * MODE page under `npm start`), which sends the payer back to the wallet.
 */
export default function BuyCredits() {
  const { team } = useViewer();
  const { data, error } = useQuery(ConsoleCreditPricesDocument, {});
  const [pack, setPack] = useState('');
  const [failure, setFailure] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const prices = data?.creditPrices;

  const checkout = async (event: FormEvent) => {
    event.preventDefault();
    if (!team || !prices) return;
    setBusy(true);
    setFailure(undefined);
    const back = `${window.location.origin}${BASE}`;
    try {
      const { createCheckout } = await request(StartConsoleCheckoutDocument, {
        input: {
          teamId: team.id,
          packId: pack || prices.packs[0]?.id,
          idempotencyKey: crypto.randomUUID(),
          urls: { successUrl: `${back}wallet?checkout=success`, cancelUrl: `${back}credits` },
        },
      });
      if (createCheckout.purchase) rememberPurchase(createCheckout.purchase.id);
      window.location.assign(createCheckout.url);
    } catch (thrown) {
      setFailure(thrown as Error);
      setBusy(false);
    }
  };

  return (
    <>
      <h1>Buy credits</h1>
      <ErrorNote error={error} />
      {prices && (
        <form onSubmit={checkout} className="stack">
          {prices.testMode && <p className="test-mode">Test mode: no real payment is taken.</p>}
          <fieldset>
            <legend>Pack</legend>
            {prices.packs.map((p, i) => (
              <label key={p.id} className="choice">
                <input
                  type="radio"
                  name="pack"
                  value={p.id}
                  checked={pack ? pack === p.id : i === 0}
                  onChange={() => setPack(p.id)}
                />{' '}
                {p.name}: <Amount micros={p.credits} /> for{' '}
                {formatMoney(p.amountMinor, prices.currency, prices.minorUnitDigits)}
              </label>
            ))}
          </fieldset>
          <div className="actions">
            <button type="submit" disabled={busy || prices.packs.length === 0}>
              Go to payment
            </button>
          </div>
        </form>
      )}
      <ErrorNote error={failure} />
      {prices && team && <AutoRecharge teamId={team.id} prices={prices} />}
    </>
  );
}
