import type { Routes } from '../../lib/http/http-server.js';
import { sendText } from '../../lib/http/responses.js';

/** Where the payment page sends a payer back to when createCheckout was given no URLs. */
export const CHECKOUT_SUCCESS_PATH = '/billing/checkout/success';
export const CHECKOUT_CANCEL_PATH = '/billing/checkout/cancel';

const page = (title: string, body: string) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Modelgraph</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem;">
<h1>${title}</h1>
${body}
</body>
</html>
`;

const SUCCESS = page(
  'Payment sent',
  `<p>The payment provider has your payment. Credits reach your team's wallet once the provider
confirms it: usually within seconds, a few days for a bank debit. Nothing more to do here.</p>
<p>The purchase's status is in <code>Team.purchases</code> (PAID once granted).</p>`,
);

const CANCEL = page(
  'Checkout left',
  `<p>Nothing was paid and nothing was granted. Start a new checkout when you are ready (the
same idempotency key returns the same checkout while it is open).</p>`,
);

/**
 * The default return pages of a checkout (billing's createCheckout points the provider's page
 * at them under BILLING_PUBLIC_URL). Public and static: they read nothing and echo nothing from
 * the query string, so they show no one's purchase; the purchase itself is read through GraphQL.
 */
export function checkoutReturnRoutes(): Routes {
  const html = (text: string) => ({
    GET: ({ res }: { res: Parameters<typeof sendText>[0] }) =>
      sendText(res, 200, text, 'text/html; charset=utf-8'),
  });
  return { [CHECKOUT_SUCCESS_PATH]: html(SUCCESS), [CHECKOUT_CANCEL_PATH]: html(CANCEL) };
}
