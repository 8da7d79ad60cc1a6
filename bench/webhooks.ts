import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Db } from '../lib/db/index.js';
import { createPurchaseStore } from '../subgraphs/billing/store/purchase-store.js';
import { signPayload } from '../subgraphs/billing/test-mode/stripe-emulator.js';
import { startBillingStack, type BillingStack } from '../test/support/billing-stack.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../test/support/test-env.js';

/*
 * `npm run bench:webhooks`: payment-provider events per second taken to durable, exactly-once
 * grants. The whole platform runs in a child process (a core of its own; the senders are in this
 * one) as the end-to-end tests start it (real
 * PostgreSQL + Redis when DATABASE_URL and REDIS_URL are set, embedded otherwise); BENCH_PAYMENTS
 * open checkout purchases are written, and for each a signed `checkout.session.completed` (paid)
 * is POSTed to the gateway's /webhooks/stripe, with BENCH_DUPLICATES extra copies of every event
 * and the whole set shuffled, by BENCH_CLIENTS concurrent senders. Afterwards every purchase must
 * be PAID and every payment granted exactly once in the ledger.
 */
const PAYMENTS = Number(process.env.BENCH_PAYMENTS ?? 2000);
const DUPLICATES = Number(process.env.BENCH_DUPLICATES ?? 1);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 32);
const TEAMS = Number(process.env.BENCH_TEAMS ?? 20);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 100);
const AMOUNT_MINOR = 1000;

const mode = TEST_DATABASE_URL && TEST_REDIS_URL ? 'real' : 'embedded';

/** The same handle, counting the statements sent through it (the stores hold this object). */
function countStatements(db: Db, label: string): () => number {
  let count = 0;
  const query = db.query.bind(db);
  db.query = (async (sql: string, params?: unknown[]) => {
    count += 1;
    const t = performance.now();
    try {
      return await query(sql, params);
    } finally {
      const ms = performance.now() - t;
      const key = `${label}: ${sql.replace(/\s+/g, ' ').slice(0, 60)}`;
      const entry = (timings[key] ??= { n: 0, ms: 0 });
      entry.n += 1;
      entry.ms += ms;
    }
  }) as Db['query'];
  return () => count;
}
const timings: Record<string, { n: number; ms: number }> = {};

interface Payment {
  purchaseId: string;
  teamId: string;
  paymentId: string;
  payload: string;
}

/** Open purchases written as createCheckout writes them, and the provider's event for each. */
async function preparePayments(billing: BillingStack, count: number, label: string) {
  const teams = await Promise.all(
    Array.from({ length: TEAMS }, (_, i) => billing.createTeam(`Bench ${label} ${i}`)),
  );
  const purchases = createPurchaseStore(billing.stack.dbs.billing);
  const payments: Payment[] = [];
  for (let i = 0; i < count; i += 1) {
    const teamId = teams[i % teams.length]!.teamId;
    const purchaseId = randomUUID();
    const sessionId = `cs_bench_${randomBytes(12).toString('hex')}`;
    const paymentId = `pi_bench_${randomBytes(12).toString('hex')}`;
    await purchases.insert({
      id: purchaseId,
      teamId,
      kind: 'CHECKOUT',
      status: 'OPEN',
      currency: 'usd',
      requestedAmountMinor: AMOUNT_MINOR,
      packId: null,
      idempotencyKey: `bench-${purchaseId}`,
      requestHash: 'bench',
      createdBy: 'bench',
    });
    const now = Math.floor(Date.now() / 1000);
    const event = {
      id: `evt_bench_${randomBytes(12).toString('hex')}`,
      object: 'event',
      api_version: '2025-01-27.acacia',
      created: now,
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type: 'checkout.session.completed',
      data: {
        object: {
          id: sessionId,
          object: 'checkout.session',
          mode: 'payment',
          status: 'complete',
          payment_status: 'paid',
          payment_intent: paymentId,
          amount_total: AMOUNT_MINOR,
          amount_subtotal: AMOUNT_MINOR,
          currency: 'usd',
          customer: null,
          client_reference_id: purchaseId,
          metadata: { purchaseId, teamId },
          created: now,
          expires_at: now + 3600,
          livemode: false,
        },
      },
    };
    payments.push({ purchaseId, teamId, paymentId, payload: JSON.stringify(event) });
  }
  return payments;
}

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0;

/** Every delivery POSTed, signed at send time, by CLIENTS senders; answers, statuses, latencies. */
async function deliver(url: string, secret: string, deliveries: string[]) {
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  // undici's request on a keep-alive agent, not fetch: the provider's senders are not on this
  // machine, so the load should take as little of its two cores as it can (fetch cost ~3x more).
  const dispatcher = new Agent({ connections: CLIENTS, pipelining: 1 });
  let next = 0;
  const sender = async () => {
    while (next < deliveries.length) {
      const payload = deliveries[next++]!;
      const started = performance.now();
      const response = await request(url, {
        method: 'POST',
        dispatcher,
        headers: {
          'content-type': 'application/json',
          'stripe-signature': signPayload(payload, secret, Math.floor(Date.now() / 1000)),
        },
        body: payload,
      });
      await response.body.dump();
      latencies.push(performance.now() - started);
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, sender));
  const seconds = (performance.now() - started) / 1000;
  await dispatcher.close();
  latencies.sort((a, b) => a - b);
  return { seconds, latencies, statuses };
}

/** Every purchase PAID with its payment's credits, and each payment granted exactly once. */
async function verify(billing: BillingStack, payments: Payment[]) {
  const { rows: paid } = await billing.stack.dbs.billing.query<{ n: string }>(
    `SELECT count(*) AS n FROM purchases WHERE id = ANY($1::uuid[]) AND status = 'PAID'
       AND granted_credits = $2`,
    [payments.map((p) => p.purchaseId), String(BigInt(AMOUNT_MINOR) * 10_000n)],
  );
  const { rows: grants } = await billing.stack.dbs.wallet.query<{ payment: string; n: string }>(
    `SELECT metadata->>'paymentId' AS payment, count(*) AS n FROM transfers
     WHERE kind = 'GRANT' AND metadata ? 'paymentId' AND metadata->>'paymentId' = ANY($1::text[])
     GROUP BY 1`,
    [payments.map((p) => p.paymentId)],
  );
  const once = grants.filter((g) => Number(g.n) === 1).length;
  const twice = grants.filter((g) => Number(g.n) > 1).length;
  return {
    paid: Number(paid[0]!.n),
    grantedOnce: once,
    grantedMoreThanOnce: twice,
    notGranted: payments.length - grants.length,
  };
}

type Command = { cmd: 'mark' } | { cmd: 'report' } | { cmd: 'stop' };
type Reply =
  | { type: 'ready'; url: string; secret: string; warm: string[]; deliveries: string[] }
  | {
      type: 'report';
      statements: { billing: number; wallet: number; policy: number };
      cpuSeconds: number;
      loopDelayMs: { p50: number; p99: number };
      verified: Awaited<ReturnType<typeof verify>>;
      timings: typeof timings;
    };

/** The platform's side, in a process of its own (a core of its own): the stack and the checks. */
async function platform() {
  const billing = await startBillingStack(mode);
  billing.emulator.setWebhookUrl(undefined);
  const send = (reply: Reply) => process.send?.(reply);
  const counters = {
    billing: countStatements(billing.stack.dbs.billing, 'billing'),
    wallet: countStatements(billing.stack.dbs.wallet, 'wallet'),
    policy: countStatements(billing.stack.dbs.policy, 'policy'),
  };
  const warm = await preparePayments(billing, WARMUP, 'warm-up');
  const payments = await preparePayments(billing, PAYMENTS, 'run');
  let marked = { billing: 0, wallet: 0, policy: 0 };
  let cpuBefore = process.cpuUsage();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  process.on('message', async (command: Command) => {
    if (command.cmd === 'mark') {
      marked = {
        billing: counters.billing(),
        wallet: counters.wallet(),
        policy: counters.policy(),
      };
      for (const key of Object.keys(timings)) delete timings[key];
      cpuBefore = process.cpuUsage();
      loopDelay.enable();
      send({ type: 'ready', url: '', secret: '', warm: [], deliveries: [] });
    } else if (command.cmd === 'report') {
      loopDelay.disable();
      const cpu = process.cpuUsage(cpuBefore);
      const statements = {
        billing: counters.billing() - marked.billing,
        wallet: counters.wallet() - marked.wallet,
        policy: counters.policy() - marked.policy,
      };
      send({
        type: 'report',
        statements,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        loopDelayMs: {
          p50: loopDelay.percentile(50) / 1e6,
          p99: loopDelay.percentile(99) / 1e6,
        },
        verified: await verify(billing, payments),
        timings,
      });
    } else {
      await billing.stop();
      process.exit(0);
    }
  });
  send({
    type: 'ready',
    url: `${billing.stack.gatewayBase}/webhooks/stripe`,
    secret: billing.emulator.signingSecret,
    warm: warm.map((p) => p.payload),
    deliveries: shuffled(payments.flatMap((p) => Array(1 + DUPLICATES).fill(p.payload))),
  });
}

/** The load's side: the senders, in this process, on the other core. */
async function load() {
  const child = fork(fileURLToPath(import.meta.url), [], {
    // BENCH_PLATFORM_ARGS: more Node flags for the platform (e.g. --cpu-prof).
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.BENCH_PLATFORM_ARGS ?? '').split(' ').filter(Boolean),
    ],
    env: { ...process.env, BENCH_ROLE: 'platform' },
  });
  const replies: Reply[] = [];
  let wake: (() => void) | undefined;
  child.on('message', (reply: Reply) => {
    replies.push(reply);
    wake?.();
  });
  const next = async <T extends Reply['type']>(type: T) => {
    while (!replies.length) await new Promise<void>((resolve) => (wake = resolve));
    const reply = replies.shift()!;
    if (reply.type !== type) throw new Error(`expected ${type}, got ${reply.type}`);
    return reply as Extract<Reply, { type: T }>;
  };
  const ready = await next('ready');
  try {
    // Warm-up: the first grants of each team, the code paths' first compilations.
    await deliver(ready.url, ready.secret, ready.warm);
    child.send({ cmd: 'mark' } satisfies Command);
    await next('ready');
    const result = await deliver(ready.url, ready.secret, ready.deliveries);
    child.send({ cmd: 'report' } satisfies Command);
    const report = await next('report');
    const events = ready.deliveries.length;
    const per = (n: number) => (n / events).toFixed(2);
    const checked = report.verified;
    if (process.env.BENCH_TIMINGS) {
      for (const [k, v] of Object.entries(report.timings).sort((a, b) => b[1].ms - a[1].ms)) {
        console.log(`${v.n}\t${(v.ms / v.n).toFixed(1)} ms avg\t${k}`);
      }
    }
    const lines = [
      `bench:webhooks (${mode} stores), ${new Date().toISOString()}`,
      `command: ${mode === 'real' ? 'DATABASE_URL=... REDIS_URL=... ' : ''}BENCH_PAYMENTS=${PAYMENTS} BENCH_DUPLICATES=${DUPLICATES} BENCH_CLIENTS=${CLIENTS} npm run bench:webhooks`,
      `payments ${PAYMENTS}, deliveries ${events} (${DUPLICATES} duplicate(s) of each, shuffled), ${CLIENTS} concurrent senders`,
      `events/s ${(events / result.seconds).toFixed(0)}  (grants/s ${(PAYMENTS / result.seconds).toFixed(0)}) in ${result.seconds.toFixed(2)} s`,
      `latency ms p50 ${percentile(result.latencies, 50).toFixed(1)}  p99 ${percentile(result.latencies, 99).toFixed(1)}`,
      `answers ${JSON.stringify(Object.fromEntries(result.statuses))}`,
      `statements per delivery: billing ${per(report.statements.billing)}, wallet ${per(report.statements.wallet)}, policy (audit) ${per(report.statements.policy)}`,
      `platform process: CPU ${report.cpuSeconds.toFixed(1)} s (${((report.cpuSeconds / result.seconds) * 100).toFixed(0)} % of one core, ${((report.cpuSeconds / events) * 1000).toFixed(2)} ms per delivery), event-loop delay ms p50 ${report.loopDelayMs.p50.toFixed(1)} p99 ${report.loopDelayMs.p99.toFixed(1)}`,
      `verified: ${checked.paid}/${PAYMENTS} PAID, ${checked.grantedOnce} granted once, ${checked.grantedMoreThanOnce} more than once, ${checked.notGranted} not granted`,
    ];
    console.log(lines.join('\n'));
    const ok =
      checked.paid === PAYMENTS &&
      checked.grantedOnce === PAYMENTS &&
      [...result.statuses.keys()].every((status) => status === 200);
    if (!ok) {
      console.error(
        'FAILED: not every payment was granted exactly once, or a delivery was refused',
      );
      process.exitCode = 1;
    }
  } finally {
    child.send({ cmd: 'stop' } satisfies Command);
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

await (process.env.BENCH_ROLE === 'platform' ? platform() : load());
