import { eventually } from '../../support/eventually.js';
import { createCallingTeam, type CallingTeam } from '../../support/inference-setup.js';
import { watchMoney } from '../../support/money-probe.js';
import { expectMoneyWhole, expectTypedFailures, startPaidLoad } from '../../support/paid-load.js';
import {
  postgresClusterUnavailable,
  startPostgresCluster,
  type PostgresCluster,
} from '../../support/postgres-cluster.js';
import { createRecordingLogger } from '../../support/recording-logger.js';
import { startStack, type Stack } from '../../support/stack.js';
import { REAL_STORES_REASON, TEST_DATABASE_URL, TEST_REDIS_URL } from '../../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';

const CLIENTS = 6;
const MODES = ['fast', 'immediate'] as const;

const notRun =
  !TEST_DATABASE_URL || !TEST_REDIS_URL ? REAL_STORES_REASON : postgresClusterUnavailable();
if (notRun) console.warn(`[postgres server restart] Not run: ${notRun}`);

// test/e2e/postgres-restarts.test.ts ends sessions and refuses connections with a proxy; this
// restarts a real server (a cluster of the file's own), so the services also meet PostgreSQL's
// own answers while it stops and starts ("the database system is shutting down / starting up /
// in recovery mode") and, after an immediate shutdown, crash recovery of transactions in flight.
(notRun ? describe.skip : describe)(
  'a real PostgreSQL server restarted under paid load (fast, then immediate)',
  () => {
    let cluster: PostgresCluster;
    let stack: Stack;
    let team: CallingTeam;
    const log = createRecordingLogger('warn');

    beforeAll(async () => {
      cluster = await startPostgresCluster();
      stack = await startStack({
        mode: 'real',
        databaseServerUrl: cluster.url,
        logger: log.logger,
      });
      team = await createCallingTeam(stack, { name: 'Through server restarts' });
    }, STACK_START_TIMEOUT_MS);
    afterAll(async () => {
      await stack?.stop();
      await cluster?.destroy();
    });

    it('fails calls only with typed errors, recovers after each restart, and keeps the ledger whole', async () => {
      const money = await watchMoney(stack, team, ['local/echo-chat']);
      const load = startPaidLoad(team, CLIENTS);
      const felt: { mode: string; refused: number; metErrors: number; summary: string }[] = [];
      /** Log lines carrying an error (a database's, or a service call's) since `at`. */
      const errorsLoggedSince = (at: number) =>
        log.lines.filter((l) => l.err !== undefined && Number(l.time) >= at).length;
      try {
        await eventually(
          'calls succeed before any restart',
          () => (load.since(0, true) >= CLIENTS ? true : undefined),
          { timeoutMs: 10_000 },
        );
        for (const mode of MODES) {
          const from = Date.now();
          await cluster.restart(mode);
          const back = Date.now();
          await eventually(
            `calls succeed again after the ${mode} restart`,
            () => (load.since(back, true) >= CLIENTS ? true : undefined),
            { timeoutMs: 30_000 },
          );
          felt.push({
            mode,
            refused: load.since(from, false),
            metErrors: errorsLoggedSince(from),
            summary: `pg_ctl took ${back - from} ms, ${CLIENTS} calls succeeded ${Date.now() - back} ms after`,
          });
        }
      } finally {
        await load.stop();
      }

      const { outcomes } = load;
      // Each restart reached the services: they met the server's or driver's errors while it was
      // away (most calls still succeeded, their service calls retried).
      expect(felt.filter((f) => f.metErrors === 0)).toEqual([]);
      expectTypedFailures(outcomes);
      const figures = await expectMoneyWhole(stack, team, money, outcomes);
      // Which codes (SQLSTATE, socket) the services met, for whoever reads the run.
      const met = new Set(
        log.lines
          .map((l) => (l.err as { code?: unknown } | undefined)?.code)
          .filter((c) => typeof c === 'string'),
      );
      console.info(
        `[postgres server restart] ${outcomes.length} calls; ` +
          felt
            .map(
              (f) =>
                `${f.mode}: ${f.refused} refused, ${f.metErrors} errors logged, ${f.summary}; `,
            )
            .join('') +
          `charged but refused: ${figures.chargedUnanswered} µcr; ` +
          `errors met: ${[...met].join(', ')}`,
      );
    }, 120_000);
  },
);
