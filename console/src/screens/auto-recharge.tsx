import { useEffect, useState, type FormEvent } from 'react';
import { request } from '../api/client';
import {
  SaveAutoRechargeDocument,
  StartAutoRechargeSetupDocument,
  TeamAutoRechargeDocument,
  type ConsoleCreditPricesQuery,
} from '../generated/graphql';
import { creditsText, formatMoney, parseCredits } from '../money';
import { ErrorNote } from '../parts/error-note';
import { BASE } from '../router';
import { useQuery } from '../use-query';

type Prices = ConsoleCreditPricesQuery['creditPrices'];

/**
 * Auto-recharge: save a payment method (a setup checkout at the provider), then when the balance
 * falls below a threshold, charge an amount once.
 */
export function AutoRecharge({ teamId, prices }: { teamId: string; prices: Prices }) {
  const { data, error, refetch } = useQuery(TeamAutoRechargeDocument, { teamId });
  const current = data?.team?.autoRecharge;
  // Back from saving a method: it is saved when the provider's event arrives, so read again.
  const waiting =
    new URLSearchParams(window.location.search).get('auto-recharge') === 'saved' &&
    !current?.hasPaymentMethod;
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(() => void refetch(), 1_000);
    return () => clearInterval(timer);
  }, [waiting, refetch]);
  const scale = 10 ** prices.minorUnitDigits;
  const [enabled, setEnabled] = useState<boolean>();
  const [threshold, setThreshold] = useState<string>();
  const [amount, setAmount] = useState<string>();
  const [failure, setFailure] = useState<Error>();
  const [saved, setSaved] = useState(false);

  const shown = {
    enabled: enabled ?? current?.enabled ?? false,
    threshold:
      threshold ??
      (current && current.thresholdCredits !== '0' ? creditsText(current.thresholdCredits) : '1'),
    amount:
      amount ??
      ((current?.amountMinor || prices.minimumAmountMinor) / scale).toFixed(prices.minorUnitDigits),
  };

  const setUp = async () => {
    setFailure(undefined);
    try {
      const back = `${window.location.origin}${BASE}credits`;
      const { createAutoRechargeSetup } = await request(StartAutoRechargeSetupDocument, {
        teamId,
        urls: { successUrl: `${back}?auto-recharge=saved`, cancelUrl: back },
      });
      window.location.assign(createAutoRechargeSetup.url);
    } catch (thrown) {
      setFailure(thrown as Error);
    }
  };
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(undefined);
    setSaved(false);
    const thresholdCredits = parseCredits(shown.threshold);
    const amountMinor = Math.round(Number(shown.amount) * scale);
    if (thresholdCredits === null || !Number.isFinite(amountMinor)) {
      setFailure(new Error('Enter the threshold in credits and the amount as a number.'));
      return;
    }
    try {
      await request(SaveAutoRechargeDocument, {
        teamId,
        input: { enabled: shown.enabled, thresholdCredits, amountMinor },
      });
      setSaved(true);
      await refetch();
    } catch (thrown) {
      setFailure(thrown as Error);
    }
  };

  return (
    <section aria-labelledby="auto-recharge-heading">
      <h2 id="auto-recharge-heading">Auto-recharge</h2>
      <ErrorNote error={error} />
      <p data-testid="auto-recharge-status">
        Status: {(current?.status ?? 'OFF').toLowerCase().replace(/_/g, ' ')}.{' '}
        {current?.hasPaymentMethod ? 'A payment method is saved.' : 'No payment method saved.'}
        {current?.lastError && ` Last error: ${current.lastError}`}
      </p>
      <div className="actions">
        <button type="button" onClick={() => void setUp()}>
          {current?.hasPaymentMethod ? 'Replace the payment method' : 'Save a payment method'}
        </button>
      </div>
      <form onSubmit={save} className="stack">
        <label className="choice">
          <input
            type="checkbox"
            checked={shown.enabled}
            onChange={(e) => setEnabled(e.target.checked)}
          />{' '}
          Recharge automatically
        </label>
        <label htmlFor="threshold">When the available balance falls below (credits)</label>
        <input
          id="threshold"
          inputMode="decimal"
          value={shown.threshold}
          onChange={(e) => setThreshold(e.target.value)}
        />
        <label htmlFor="recharge-amount">
          Charge ({prices.currency.toUpperCase()}, at least{' '}
          {formatMoney(prices.minimumAmountMinor, prices.currency, prices.minorUnitDigits)})
        </label>
        <input
          id="recharge-amount"
          inputMode="decimal"
          value={shown.amount}
          onChange={(e) => setAmount(e.target.value)}
        />
        <div className="actions">
          <button type="submit">Save auto-recharge</button>
        </div>
        {saved && <p role="status">Saved.</p>}
      </form>
      <ErrorNote error={failure} />
    </section>
  );
}
