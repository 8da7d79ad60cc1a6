import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INTERNAL_TOKEN_HEADER } from '../../../lib/auth/internal-token.js';
import { createLedger } from '../../../subgraphs/wallet/service/ledger/ledger.js';
import { eventually } from '../../support/eventually.js';
import { expectNoErrors, gql } from '../../support/graphql-client.js';
import { teamKey } from '../../support/identities.js';
import { startInferenceProcess, type InferenceProcess } from '../../support/inference-process.js';
import { createCallingTeam, type CallingTeam } from '../../support/inference-setup.js';
import { expectLedgerInvariants } from '../../support/ledger-invariants.js';
import { total } from '../../support/money-probe.js';
import {
  startOperationCutProxy,
  type OperationCutProxy,
} from '../../support/operation-cut-proxy.js';
import { startStack, type Stack } from '../../support/stack.js';
import { STORE_MODES } from '../../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';
import { typed } from '../../support/typed-document.js';

const GENERATE = typed<
  { generate: { cost: string; chargeStatus: string } },
  { i: Record<string, unknown> }
>(`mutation($i: GenerateInput!) { generate(input: $i) { cost chargeStatus } }`);
const CREDITS = 100_000_000n;
const COUNTS = ['Count one', 'Count two', 'Count three'];

type Answer = { cost: string; chargeStatus: string };
type Extra = (content: string) => Record<string, unknown>;

/*
 * Issue 12: a served call's charge survives a crash. The inference service runs as its own process
 * (as in production) in front of a wallet whose charges are cut: calls are answered PENDING, the
 * process is killed with SIGKILL, and a fresh one on the same database charges every answered call
 * exactly once, and nothing for the call whose answer died with the first process. Both ways a
 * call is paid: a hold of its own captured (calls with an idempotency key), and a spend against
 * the team's credit lease (calls without one). Real stores: the outbox on PostgreSQL; embedded:
 * on PGlite in a data directory the processes open in turn.
 */
describe.each(STORE_MODES)('a served call’s charge survives kill -9 (%s stores)', (mode) => {
  let stack: Stack;
  let wallet: OperationCutProxy;
  let dataDir: string;
  const processes: InferenceProcess[] = [];

  beforeAll(async () => {
    stack = await startStack({ mode });
    // The stack's own inference service would send the outbox's charges itself.
    await stack.stopSubgraph('inference');
    wallet = await startOperationCutProxy(stack.subgraphUrls.wallet!);
    dataDir = await mkdtemp(join(tmpdir(), 'modelgraph-outbox-'));
  }, STACK_START_TIMEOUT_MS);
  // One process at a time opens the embedded outbox's data directory.
  afterEach(async () => {
    for (const inference of processes.splice(0)) await inference.kill('SIGKILL');
    wallet.onCut = undefined;
    wallet.restore();
  });
  afterAll(async () => {
    await wallet?.close();
    await stack?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const startInference = async (env: Record<string, string> = {}) => {
    const inference = await startInferenceProcess({
      LOG_LEVEL: 'info',
      MODELGRAPH_INTERNAL_PUBLIC_KEY: stack.internalKeys.publicKeyPem,
      MODELGRAPH_INTERNAL_PRIVATE_KEY: stack.internalKeys.privateKeyPem,
      MODEL_CATALOG_URL: stack.subgraphUrls['model-catalog']!,
      POLICY_URL: stack.subgraphUrls.policy!,
      WALLET_URL: wallet.url,
      ...(stack.databaseUrl
        ? { DATABASE_URL: stack.databaseUrl }
        : { MODELGRAPH_DATA_DIR: dataDir }),
      ...env,
    });
    processes.push(inference);
    return inference;
  };
  /** `generate` sent to the inference process as the gateway forwards a call of `team`'s key. */
  const generate = async (
    inference: InferenceProcess,
    team: CallingTeam,
    content: string,
    extra: Extra,
  ) => {
    const principal = teamKey(
      team.teamId,
      ['models:read', 'inference:invoke'],
      `key:${team.keyId}`,
    );
    return gql(inference.url, GENERATE, {
      variables: {
        i: {
          model: 'local/echo-chat',
          messages: [{ role: 'USER', content }],
          maxTokens: 16,
          ...extra(content),
        },
      },
      headers: { [INTERNAL_TOKEN_HEADER]: await stack.internalToken(principal) },
    });
  };
  /** The team's ledger, read from the wallet's database. */
  const ledgerOf = (team: CallingTeam) => {
    const { reads } = createLedger(stack.dbs.wallet);
    return {
      holds: () => reads.holds(team.teamId, null, 10),
      posted: async () => (await reads.balances([team.teamId]))[0]!.posted,
      spends: () => reads.transactions(team.teamId, { kinds: ['SPEND'] }, null, 10),
    };
  };
  type Ledger = ReturnType<typeof ledgerOf>;

  /** Three calls answered while the wallet cannot confirm their charges: each PENDING. */
  const answerUnconfirmed = async (
    inference: InferenceProcess,
    team: CallingTeam,
    extra: Extra,
  ) => {
    const answered: Answer[] = [];
    for (const content of COUNTS) {
      answered.push(expectNoErrors(await generate(inference, team, content, extra)).generate);
    }
    expect(answered.map((a) => a.chargeStatus)).toEqual(['PENDING', 'PENDING', 'PENDING']);
    expect(total(answered)).toBeGreaterThan(0n);
    return answered;
  };

  /**
   * A fourth call is killed with its process once its provider answered, while its charge is
   * unconfirmed (`charging` resolves when the wallet is asked for it): its answer never leaves.
   */
  const killWhileCharging = async (
    inference: InferenceProcess,
    team: CallingTeam,
    extra: Extra,
    charging: Promise<void>,
  ) => {
    const lost = generate(inference, team, 'Count four', extra).then(
      () => 'answered',
      () => 'never answered',
    );
    await charging;
    await inference.kill('SIGKILL');
    expect(await lost).toBe('never answered');
  };

  /** The wallet answers again; a new process finds the charges where the first one left them. */
  const restartAndRecover = async (chargedBy: 'CAPTURE' | 'SPEND') => {
    wallet.onCut = undefined;
    wallet.restore();
    const second = await startInference();
    // A charge the first process had claimed when it died waits for its claim to lapse (60 s).
    await eventually(
      'the restarted service charged the answered calls',
      async () =>
        (await second.metric('inference_charge_outbox_recovered_total', {
          charged_by: chargedBy,
        })) === 3
          ? true
          : undefined,
      { timeoutMs: 100_000, intervalMs: 250 },
    );
    return second;
  };

  /** The ledger took exactly what the calls reported, the metric counted it, nothing waits. */
  const expectChargedAsAnswered = async (
    second: InferenceProcess,
    ledger: Ledger,
    answered: Answer[],
  ) => {
    expect(await ledger.posted()).toBe(CREDITS - total(answered));
    expect(await second.metric('inference_charge_outbox_pending')).toBe(0);
    expect(await second.metric('inference_charged_microcredits_total')).toBe(
      Number(total(answered)),
    );
  };

  /** The hold the dead call left is released by its expiry: nothing more is charged. */
  const expireTheRest = async (ledger: Ledger, answered: Answer[]) => {
    await stack.dbs.wallet.query('INSERT INTO clock_offset (seconds) VALUES (86400)');
    try {
      await eventually(
        'the sweeper released the dead call’s hold',
        async () => ((await ledger.holds()).some((h) => h.status === 'EXPIRED') ? true : undefined),
        { timeoutMs: 30_000 },
      );
    } finally {
      await stack.dbs.wallet.query('DELETE FROM clock_offset');
    }
    expect(await ledger.posted()).toBe(CREDITS - total(answered));
    await expectLedgerInvariants(stack.dbs.wallet);
  };

  it('charges every answered call once after a crash and a restart, and none that died', async () => {
    // With an idempotency key, each call takes a hold of its own and is charged by its capture.
    const team = await createCallingTeam(stack, { name: 'Crash payers', credits: `${CREDITS}` });
    const ledger = ledgerOf(team);
    const keyed: Extra = (content) => ({ idempotencyKey: content });
    const first = await startInference();
    wallet.cut('captureHold');
    const answered = await answerUnconfirmed(first, team, keyed);

    const answeredHolds = new Set((await ledger.holds()).map((h) => h.id));
    const charging = new Promise<void>((resolve) => {
      wallet.onCut = ({ variables }) => {
        if (!answeredHolds.has(variables.holdId as string)) resolve();
      };
    });
    await killWhileCharging(first, team, keyed, charging);
    expect((await ledger.holds()).map((h) => h.status)).toEqual(Array(4).fill('PENDING'));
    expect(await ledger.posted()).toBe(CREDITS);

    const second = await restartAndRecover('CAPTURE');
    const captured = (await ledger.holds()).filter((h) => h.status === 'CAPTURED');
    expect(captured).toHaveLength(3);
    expect(captured.map((h) => h.capturedAmount!).reduce((a, b) => a + b, 0n)).toBe(
      total(answered),
    );
    await expectChargedAsAnswered(second, ledger, answered);
    await expireTheRest(ledger, answered);
  }, 240_000);

  it('on a credit lease: each answered call is spent from it once after a crash, none that died', async () => {
    const team = await createCallingTeam(stack, { name: 'Crash lessees', credits: `${CREDITS}` });
    const ledger = ledgerOf(team);
    const unkeyed: Extra = () => ({});
    // The lease is never returned while idle here: it dies with the process, as in a crash.
    const first = await startInference({ INFERENCE_CREDIT_LEASE_IDLE_MS: '600000' });
    // Spends seen before the fourth call (the first three's, retried) tell its spend apart.
    const seen = new Set<string>();
    let fourthSent = false;
    const charging = new Promise<void>((resolve) => {
      wallet.onCut = ({ variables }) => {
        const spends = variables.spends as Array<{ idempotencyKey: string }>;
        const keys = spends.map((s) => s.idempotencyKey);
        if (fourthSent && keys.some((key) => !seen.has(key))) resolve();
        else keys.forEach((key) => seen.add(key));
      };
    });
    wallet.cut('spendFromHolds');
    const answered = await answerUnconfirmed(first, team, unkeyed);
    fourthSent = true;
    await killWhileCharging(first, team, unkeyed, charging);
    // One lease served all four calls; the wallet has not been told of any spend.
    const [lease, ...others] = await ledger.holds();
    expect(others).toEqual([]);
    expect(lease).toMatchObject({ status: 'PENDING', spentAmount: 0n });
    expect(await ledger.posted()).toBe(CREDITS);

    const second = await restartAndRecover('SPEND');
    // One SPEND per answered call, each of what that call reported, all within the lease.
    const spends = await ledger.spends();
    expect(spends.map((s) => s.pendingId)).toEqual(Array(3).fill(lease!.id));
    expect(spends.map((s) => String(s.amount)).sort()).toEqual(answered.map((a) => a.cost).sort());
    expect((await ledger.holds())[0]).toMatchObject({ spentAmount: total(answered) });
    await expectChargedAsAnswered(second, ledger, answered);
    // The lease expires: what was left of it goes back, what its calls spent stays charged.
    await expireTheRest(ledger, answered);
  }, 240_000);
});
