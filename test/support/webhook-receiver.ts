/**
 * A webhook endpoint for tests: records every POST (the raw body and its `Stripe-Signature`) and
 * answers with the statuses it is told to, then 200.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  body: string;
  signature: string | undefined;
  contentType: string | undefined;
  /** The status this request was answered with. */
  status: number;
}

export async function startWebhookReceiver() {
  const received: ReceivedWebhook[] = [];
  let statuses: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const status = statuses.shift() ?? 200;
      received.push({
        body: Buffer.concat(chunks).toString('utf8'),
        signature: req.headers['stripe-signature'] as string | undefined,
        contentType: req.headers['content-type'],
        status,
      });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`,
    received,
    /** The next requests are answered with these statuses, in order. */
    respondWith(...next: number[]): void {
      statuses.push(...next);
    },
    /** Event ids and types of the 2xx-answered requests, in arrival order. */
    accepted(): { id: string; type: string }[] {
      return received
        .filter((r) => r.status < 300)
        .map((r) => JSON.parse(r.body) as { id: string; type: string })
        .map(({ id, type }) => ({ id, type }));
    },
    clear(): void {
      received.length = 0;
      statuses = [];
    },
    async close(): Promise<void> {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
