import { loadBillingSettings } from '../../config.js';
import type { AutoRechargeRow } from '../../store/auto-recharge-store.js';
import type { RechargeRow } from '../../store/recharge-store.js';
import { statusOf } from './recharge-settings.js';

const row = (changes: Partial<AutoRechargeRow> = {}): AutoRechargeRow => ({
  teamId: 't',
  enabled: true,
  thresholdCredits: 5n,
  amountMinor: 1000,
  paymentMethodId: 'pm_1',
  disabledByFailures: false,
  consecutiveFailures: 0,
  lastError: null,
  lastRechargeAt: null,
  ...changes,
});
const open = (status: RechargeRow['status'], attempts: number) =>
  ({ status, attempts }) as RechargeRow;

describe('auto-recharge status', () => {
  it.each([
    ['OFF', row({ enabled: false }), null],
    ['DISABLED', row({ enabled: false, disabledByFailures: true }), null],
    ['NEEDS_PAYMENT_METHOD', row({ paymentMethodId: null }), null],
    ['READY', row(), null],
    ['RECHARGING', row(), open('DUE', 0)],
    ['RECHARGING', row(), open('CHARGING', 2)],
    ['FAILING', row({ consecutiveFailures: 1 }), open('DUE', 1)],
    ['FAILING', row({ consecutiveFailures: 1 }), null],
  ] as const)('%s', (status, settings, recharge) => {
    expect(statusOf(settings, recharge)).toBe(status);
  });
});

describe('BILLING_RECHARGE_RETRY_DELAYS_MS', () => {
  it('reads milliseconds separated by commas, and refuses anything else', () => {
    expect(loadBillingSettings({}).rechargeRetryDelaysMs).toEqual([60_000, 300_000, 1_800_000]);
    expect(
      loadBillingSettings({ BILLING_RECHARGE_RETRY_DELAYS_MS: '10,20' }).rechargeRetryDelaysMs,
    ).toEqual([10, 20]);
    expect(() => loadBillingSettings({ BILLING_RECHARGE_RETRY_DELAYS_MS: '10,-1' })).toThrow(
      /BILLING_RECHARGE_RETRY_DELAYS_MS/,
    );
  });
});
