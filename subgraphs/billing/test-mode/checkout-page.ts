/**
 * The local TEST MODE checkout page: what `npm start` shows instead of Stripe's hosted Checkout
 * when no provider key is set. Plain HTML with no external assets (it must work offline), a
 * banner no one can mistake for a real payment page, and buttons that post back to the emulator,
 * which moves the session through the same transitions, events and signed webhooks as the tests
 * drive. Everything interpolated is escaped: names and URLs come from the API caller.
 */
import type { CheckoutTransitions } from './checkout-transitions.js';
import type { SessionRecord } from './emulator-state.js';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Currencies whose amounts Stripe counts in whole units (no cents).
const ZERO_DECIMAL = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
]);

export function formatAmount(amount: number, currency: string): string {
  const units = ZERO_DECIMAL.has(currency) ? String(amount) : (amount / 100).toFixed(2);
  return `${units} ${currency.toUpperCase()}`;
}

/** Stripe fills `{CHECKOUT_SESSION_ID}` in success_url with the session's id. */
function redirectUrl(url: string, sessionId: string): string {
  return url.replaceAll('{CHECKOUT_SESSION_ID}', sessionId);
}

/** Messages a redirect back to the page may show, by fixed key (never text from the URL). */
const NOTICES: Record<string, string> = {
  declined: 'Your test card was declined. Try again, or cancel.',
  pending: 'Payment submitted with a delayed method: it is pending until settled below.',
  settled: 'The delayed payment was settled.',
};

const button = (sessionId: string, action: string, label: string, field = '') =>
  `<form method="post" action="/checkout/${encodeURIComponent(sessionId)}/${action}">${field}` +
  `<button type="submit">${escapeHtml(label)}</button></form>`;

function actions(record: SessionRecord, paymentIntentStatus: string | undefined): string {
  const { session } = record;
  const id = session.id;
  if (session.status === 'open' && session.mode === 'setup') {
    return button(id, 'save', 'Save test card') + button(id, 'cancel', 'Cancel');
  }
  if (session.status === 'open') {
    return (
      button(id, 'pay', 'Pay with test card') +
      button(id, 'pay-async', 'Pay with delayed method') +
      button(id, 'decline', 'Decline') +
      button(id, 'cancel', 'Cancel')
    );
  }
  if (session.status === 'complete' && paymentIntentStatus === 'processing') {
    const outcome = (value: string) => `<input type="hidden" name="outcome" value="${value}">`;
    return (
      button(id, 'settle', 'Settle: the payment arrives', outcome('succeeded')) +
      button(id, 'settle', 'Settle: the payment fails', outcome('failed'))
    );
  }
  return '';
}

/** The page for one session: open, pending settlement, complete or expired. */
export function renderCheckoutPage(
  record: SessionRecord,
  paymentIntentStatus: string | undefined,
  notice?: string,
): string {
  const { session, lines } = record;
  const rows = lines
    .map(
      (line) =>
        `<li>${escapeHtml(line.name)} × ${line.quantity} — ` +
        `${escapeHtml(formatAmount(line.unitAmount * line.quantity, session.currency ?? 'usd'))}</li>`,
    )
    .join('');
  const total =
    session.amount_total !== null && session.currency
      ? `<p class="total">Total: ${escapeHtml(formatAmount(session.amount_total, session.currency))}</p>`
      : '<p>Saves a test card for later payments. Nothing is charged now.</p>';
  const message =
    notice && NOTICES[notice] ? `<p class="notice">${escapeHtml(NOTICES[notice])}</p>` : '';
  const back =
    session.status === 'complete' && session.success_url
      ? `<p><a href="${escapeHtml(redirectUrl(session.success_url, session.id))}">Return to the merchant</a></p>`
      : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>TEST MODE checkout</title>
<style>
body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}
.banner{background:#b00020;color:#fff;font-size:1.5rem;font-weight:bold;padding:1rem;text-align:center}
.total{font-size:1.25rem;font-weight:bold}.notice{background:#fff3cd;padding:.5rem}
form{display:inline-block;margin:.25rem}button{font-size:1rem;padding:.5rem 1rem}
</style></head><body>
<div class="banner" role="alert">TEST MODE — no real payment is taken</div>
<p>This page stands in for Stripe Checkout on a local install. No card details are asked for or sent anywhere.</p>
<h1>Checkout</h1>
<ul>${rows}</ul>
${total}
<p>Status: <strong>${escapeHtml(session.status ?? 'open')}</strong>, payment: <strong>${escapeHtml(session.payment_status)}</strong></p>
${message}
${actions(record, paymentIntentStatus)}
${back}
</body></html>`;
}

/**
 * Runs a button's action and says where to send the browser: the merchant's success or cancel
 * URL, or back to this page (after a decline or a delayed payment). Cancelling leaves the session
 * open, as leaving Stripe Checkout does; it expires later.
 */
export function runCheckoutAction(
  checkout: CheckoutTransitions,
  record: SessionRecord,
  action: string,
  form: Record<string, unknown>,
): string | undefined {
  const { session } = record;
  const page = (notice: string) => `/checkout/${encodeURIComponent(session.id)}?notice=${notice}`;
  const success = () =>
    session.success_url ? redirectUrl(session.success_url, session.id) : page('settled');
  switch (action) {
    case 'pay':
    case 'save':
      checkout.complete(session.id, 'paid');
      return session.success_url
        ? redirectUrl(session.success_url, session.id)
        : `/checkout/${encodeURIComponent(session.id)}`;
    case 'pay-async':
      checkout.complete(session.id, 'async_pending');
      return page('pending');
    case 'settle':
      checkout.settleAsync(session.id, form.outcome === 'failed' ? 'failed' : 'succeeded');
      return form.outcome === 'failed' ? `/checkout/${encodeURIComponent(session.id)}` : success();
    case 'decline':
      checkout.decline(session.id);
      return page('declined');
    case 'cancel':
      return session.cancel_url ?? `/checkout/${encodeURIComponent(session.id)}`;
    default:
      return undefined;
  }
}
