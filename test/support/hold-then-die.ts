import { createDb } from '../../lib/db/index.js';
import { createLedger } from '../../subgraphs/wallet/service/ledger/ledger.js';
import { WALLET_SCHEMA } from '../../subgraphs/wallet/server.js';

/*
 * A wallet replica that dies between hold and capture (ledger-crash.test.ts): it authorizes a hold
 * on the database at `url`, prints `hold <id>`, then waits for the test's SIGKILL, so it never
 * captures, voids or closes its connections.
 * Usage: node --import tsx test/support/hold-then-die.ts <url> <walletId> <amount> <expiresInSeconds>
 */
const [url, walletId, amount, expiresInSeconds] = process.argv.slice(2);
if (!url || !walletId || !amount || !expiresInSeconds) {
  console.error('usage: hold-then-die.ts <url> <walletId> <amount> <expiresInSeconds>');
  process.exit(2);
}

const db = await createDb({ url, schema: WALLET_SCHEMA, poolSize: 1 });
const hold = await createLedger(db).authorizeHold({
  walletId,
  amount: BigInt(amount),
  idempotencyKey: `crash-${walletId}`,
  expiresInSeconds: Number(expiresInSeconds),
  actor: 'test:hold-then-die',
});
process.stdout.write(`hold ${hold.id}\n`);
// Wait forever: the timer keeps the event loop alive until the process is killed.
setInterval(() => undefined, 60_000);
