import { DEFAULT_INFERENCE_SETTINGS } from '../../../subgraphs/inference/config.js';
import { startEmulatedStack, type EmulatedStack } from '../../support/emulated-deployments.js';
import { eventually } from '../../support/eventually.js';
import { expectErrorCode, expectNoErrors } from '../../support/graphql-client.js';
import { GENERATE } from '../../support/inference-setup.js';
import { expectLedgerInvariants } from '../../support/ledger-invariants.js';
import type { EmulatorFault } from '../../support/provider-emulators.js';
import { subscribeWithSse } from '../../support/stream-clients.js';
import { REAL_STORES_REASON, TEST_DATABASE_URL, TEST_REDIS_URL } from '../../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';
import { typed } from '../../support/typed-document.js';

const HOLDS = typed<
  { team: { wallet: { holds: Array<{ status: string; capturedAmount: string | null }> } } },
  { id: string }
>(`query($id: ID!) { team(id: $id) { wallet { holds(first: 100) { status capturedAmount } } } }`);
const STREAM = `subscription($i: GenerateInput!) { generateStream(input: $i) {
  __typename ... on GenerationFailed { code generation { cost } } } }`;

/** Both ways a provider can hang: before any byte, and after its headers and first bytes. */
const STALLS: Array<[string, string, EmulatorFault]> = [
  ['accepts the connection and never answers', 'silent', { timeout: true }],
  ['sends its headers, then stalls mid-body', 'half-answer', { stallAfterHeaders: true }],
];

if (!TEST_DATABASE_URL || !TEST_REDIS_URL) {
  console.warn(`[provider stalls] Not run: ${REAL_STORES_REASON}`);
}

/*
 * Issue 14, chaos: a provider that stalls forever. The call's deadline is honoured (it comes back
 * with a typed error; how fast is bench/'s business), the provider's connection is closed, the
 * call's hold is voided and nothing is charged. Every call takes a hold of its own (no credit
 * leases), so each hold's fate is the call's.
 */
(TEST_DATABASE_URL && TEST_REDIS_URL ? describe : describe.skip)(
  'a provider that stalls forever (real stores)',
  () => {
    let emulated: EmulatedStack;
    beforeAll(async () => {
      emulated = await startEmulatedStack('real', {
        team: 'Stalled callers',
        settings: {
          attemptTimeoutMs: 400,
          deadlineMs: 1_500,
          attemptsPerTarget: 2,
          retryBaseMs: 5,
          outputTokensPerSecond: 10_000,
          streamIdleTimeoutMs: 400,
          creditLeases: { ...DEFAULT_INFERENCE_SETTINGS.creditLeases, calls: 0 },
        },
      });
    }, STACK_START_TIMEOUT_MS);
    afterAll(() => emulated?.stop());

    const holds = async () =>
      expectNoErrors(await emulated.team.call(HOLDS, { id: emulated.team.teamId })).team.wallet
        .holds;
    /** The team's money and holds before a call, and a check that the call changed neither. */
    async function expectNothingCharged(run: () => Promise<void>) {
      const before = await emulated.team.balance();
      const holdsBefore = await holds();
      await run();
      const after = await holds();
      // The call took a hold of its own, and it was voided: captured nothing, none still open.
      expect(after).toHaveLength(holdsBefore.length + 1);
      expect(after.filter((h) => h.status === 'VOIDED')).toHaveLength(
        holdsBefore.filter((h) => h.status === 'VOIDED').length + 1,
      );
      expect(after.filter((h) => h.status === 'PENDING')).toEqual([]);
      expect(await emulated.team.balance()).toEqual(before);
      await expectLedgerInvariants(emulated.stack.dbs.wallet);
    }

    it.each(STALLS)(
      'generate: a provider that %s — PROVIDER_ERROR (TIMEOUT), connection closed, hold voided',
      async (_, name, fault) => {
        const stalled = await emulated.deployments.deploy(name, {
          emulator: { faultEvery: fault },
        });
        await expectNothingCharged(async () => {
          const response = await emulated.team.call(GENERATE, {
            i: {
              model: stalled.modelId,
              messages: [{ role: 'USER', content: 'Are you there?' }],
              maxTokens: 16,
            },
          });
          const error = expectErrorCode(response, 'PROVIDER_ERROR');
          expect(
            (error.extensions!.attempts as Array<{ outcome: string; error: string }>).map((a) => [
              a.outcome,
              a.error,
            ]),
          ).toEqual([
            ['FAILED', 'TIMEOUT'],
            ['FAILED', 'TIMEOUT'],
          ]);
        });
        // Both attempts reached the provider and the platform hung up on each.
        expect(stalled.emulator.requests).toHaveLength(2);
        await eventually(
          'the stalled connections closed by the platform',
          () => (stalled.emulator.requests.every((r) => r.closedAt) ? true : undefined),
          { timeoutMs: 5_000 },
        );
      },
    );

    it('generateStream: a provider that sends its headers, then nothing — a typed end, hold voided', async () => {
      const stalled = await emulated.deployments.deploy('stalls-stream', {
        emulator: { faultEvery: { stallAfterHeaders: true } },
      });
      let outcomes: ReturnType<typeof subscribeWithSse>['outcomes'] = [];
      await expectNothingCharged(async () => {
        const recording = subscribeWithSse(emulated.stack.url, emulated.team.key, STREAM, {
          i: {
            model: stalled.modelId,
            messages: [{ role: 'USER', content: 'Are you there?' }],
            maxTokens: 16,
          },
        });
        await recording.ended;
        outcomes = recording.outcomes;
      });
      // Nothing was delivered, so the stream ends as a call that failed before its first token.
      expect(outcomes.map((o) => o.errors?.map((e) => e.code))).toEqual([['PROVIDER_ERROR']]);
      await eventually(
        'the stalled connections closed by the platform',
        () => (stalled.emulator.requests.every((r) => r.closedAt) ? true : undefined),
        { timeoutMs: 5_000 },
      );
    });
  },
);
