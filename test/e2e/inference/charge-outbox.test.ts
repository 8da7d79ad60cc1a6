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

/*
 * Issue 12: a served call's charge survives a crash. The inference service runs as its own process
 * (as in production) in front of a wallet whose captures are cut: calls are answered PENDING, the
 * process is killed with SIGKILL, and a fresh one on the same database charges every answered call
 * exactly once, and nothing for the call whose answer died with the first process. Real stores:
 * the outbox on PostgreSQL; embedded: on PGlite in a data directory both processes open in turn.
 */
describe.each(STORE_MODES)('a served call’s charge survives kill -9 (%s stores)', (mode) => {
  let stack: Stack;
  let team: CallingTeam;
  let wallet: OperationCutProxy;
  let dataDir: string;
  const processes: InferenceProcess[] = [];

  beforeAll(async () => {
    stack = await startStack({ mode });
    // The stack's own inference service would send the outbox's charges itself.
    await stack.stopSubgraph('inference');
    team = await createCallingTeam(stack, { name: 'Crash payers', credits: CREDITS.toString() });
    wallet = await startOperationCutProxy(stack.subgraphUrls.wallet!);
    dataDir = await mkdtemp(join(tmpdir(), 'modelgraph-outbox-'));
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    for (const inference of processes) await inference.kill('SIGKILL');
    await wallet?.close();
    await stack?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const startInference = async () => {
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
    });
    processes.push(inference);
    return inference;
  };
  /** `generate` sent to the inference process as the gateway forwards a call of the team's key. */
  const generate = async (inference: InferenceProcess, content: string) => {
    const principal = teamKey(
      team.teamId,
      ['models:read', 'inference:invoke'],
      `key:${team.keyId}`,
    );
    return gql(inference.url, GENERATE, {
      variables: {
        i: { model: 'local/echo-chat', messages: [{ role: 'USER', content }], maxTokens: 16 },
      },
      headers: { [INTERNAL_TOKEN_HEADER]: await stack.internalToken(principal) },
    });
  };
  const holds = () => createLedger(stack.dbs.wallet).reads.holds(team.teamId, null, 10);
  const posted = async () =>
    (await createLedger(stack.dbs.wallet).reads.balances([team.teamId]))[0]!.posted;

  it('charges every answered call once after a crash and a restart, and none that died', async () => {
    const first = await startInference();
    wallet.cut('captureHold');
    const answered: Array<{ cost: string; chargeStatus: string }> = [];
    for (const content of ['Count one', 'Count two', 'Count three']) {
      answered.push(expectNoErrors(await generate(first, content)).generate);
    }
    expect(answered.map((a) => a.chargeStatus)).toEqual(['PENDING', 'PENDING', 'PENDING']);
    expect(total(answered)).toBeGreaterThan(0n);

    // A fourth call is killed with its process once its provider answered, while its capture is
    // unconfirmed: its answer never leaves.
    const answeredHolds = new Set((await holds()).map((h) => h.id));
    const capturing = new Promise<void>((resolve) => {
      wallet.onCut = ({ variables }) => {
        if (!answeredHolds.has(variables.holdId as string)) resolve();
      };
    });
    const lost = generate(first, 'Count four').then(
      () => 'answered',
      () => 'never answered',
    );
    await capturing;
    await first.kill('SIGKILL');
    expect(await lost).toBe('never answered');
    expect((await holds()).map((h) => h.status)).toEqual(Array(4).fill('PENDING'));
    expect(await posted()).toBe(CREDITS);

    // The wallet answers again; a new process finds the charges where the first one left them.
    wallet.onCut = undefined;
    wallet.restore();
    const second = await startInference();
    // A charge the first process had claimed when it died waits for its claim to lapse (60 s).
    await eventually(
      'the restarted service charged the answered calls',
      async () =>
        (await second.metric('inference_charge_outbox_recovered_total')) === 3 ? true : undefined,
      { timeoutMs: 100_000, intervalMs: 250 },
    );
    const after = await holds();
    const captured = after.filter((h) => h.status === 'CAPTURED');
    expect(captured.map((h) => h.capturedAmount!).reduce((a, b) => a + b, 0n)).toBe(
      total(answered),
    );
    expect(captured).toHaveLength(3);
    expect(await posted()).toBe(CREDITS - total(answered));
    expect(await second.metric('inference_charge_outbox_pending')).toBe(0);
    expect(await second.metric('inference_charged_microcredits_total')).toBe(
      Number(total(answered)),
    );

    // The call that never answered is charged nothing: its hold expires by the ledger's clock.
    await stack.dbs.wallet.query('INSERT INTO clock_offset (seconds) VALUES (86400)');
    try {
      await eventually(
        'the sweeper released the dead call’s hold',
        async () => ((await holds()).some((h) => h.status === 'EXPIRED') ? true : undefined),
        { timeoutMs: 30_000 },
      );
    } finally {
      await stack.dbs.wallet.query('DELETE FROM clock_offset');
    }
    expect(await posted()).toBe(CREDITS - total(answered));
    await expectLedgerInvariants(stack.dbs.wallet);
  }, 240_000);
});
