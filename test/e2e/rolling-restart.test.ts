import { Redis } from 'ioredis';
import type OpenAI from 'openai';
import { createDb, type Db } from '../../lib/db/index.js';
import { WALLET_SCHEMA } from '../../subgraphs/wallet/server.js';
import { eventually } from '../support/eventually.js';
import { expectNoErrors, gql } from '../support/graphql-client.js';
import { expectLedgerInvariants } from '../support/ledger-invariants.js';
import { openAiClient } from '../support/openai-sdk.js';
import {
  FLEET_SERVICES,
  startFleet,
  type Fleet,
  type FleetService,
} from '../support/rolling-fleet.js';
import { startSteadyLoad } from '../support/steady-load.js';
import { startStripeEmulator, type TestStripeEmulator } from '../support/stripe-emulator.js';
import { createTestDatabase, type TestDatabase } from '../support/stores.js';
import { subscribeWithSse } from '../support/stream-clients.js';
import { REAL_STORES_REASON, TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/test-env.js';

const ADMIN_KEY = 'rolling-restart-admin-key-0123456789abcdef';
/** A Redis database of this suite's own: the services' keys carry no per-run prefix. */
const REDIS_DB = 11;
/** Long enough (the local model pauses LOCAL_STREAM_DELAY_MS between words) to span a drain. */
const STREAM_TEXT = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
const STREAM = `subscription($i: GenerateInput!) { generateStream(input: $i) {
  __typename ... on GenerationFailed { code } } }`;
/** Where a stream open across a restart ends: its own end, or the terminal event of a drain. */
type StreamEnd = 'completed' | 'shutting down' | string;
/** The services a stream runs through (gateway → inference), whose drain ends it. */
const ENDS_STREAMS: FleetService[] = ['gateway', 'inference'];

if (!TEST_DATABASE_URL || !TEST_REDIS_URL) {
  console.warn(`[rolling restart] Not run: ${REAL_STORES_REASON}`);
}

/** A graphql-sse stream: completed, ended by a drain's SERVICE_UNAVAILABLE, or what went wrong. */
async function graphqlStream(base: string, key: string, started: () => void): Promise<StreamEnd> {
  const stream = subscribeWithSse(`${base}/graphql`, key, STREAM, {
    i: { model: 'local/echo-chat', messages: [{ role: 'USER', content: STREAM_TEXT }] },
  });
  await eventually('the GraphQL stream sends its first delta', () => stream.outcomes[0], {
    timeoutMs: 20_000,
    intervalMs: 20,
  });
  started();
  await stream.ended;
  const last = stream.outcomes.at(-1)!;
  const event = (last.data as { generateStream?: { __typename: string; code?: string } })
    ?.generateStream;
  if (event?.__typename === 'GenerationCompleted') return 'completed';
  const code = event?.code ?? last.errors?.[0]?.code;
  return code === 'SERVICE_UNAVAILABLE' ? 'shutting down' : JSON.stringify(stream.outcomes.at(-1));
}

/** An OpenAI SDK stream: completed, ended by a drain's `service_unavailable` error event, or not. */
async function openAiStream(client: OpenAI, started: () => void): Promise<StreamEnd> {
  try {
    const stream = await client.chat.completions.create({
      model: 'local/echo-chat',
      messages: [{ role: 'user', content: STREAM_TEXT }],
      stream: true,
    });
    let first = true;
    let finish: string | null = null;
    for await (const chunk of stream) {
      if (first) started();
      first = false;
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    return finish ? 'completed' : 'ended without finish_reason';
  } catch (error) {
    const code = (error as { code?: string }).code;
    return code === 'service_unavailable' ? 'shutting down' : String(error);
  }
}

// Issue 14, item 4. Each service is a process of its own behind a TCP proxy (its Service); the
// same steady load runs through a rolling restart of each in turn. One store mode: real ones.
(TEST_DATABASE_URL && TEST_REDIS_URL ? describe : describe.skip)(
  'a rolling restart of every service under steady load (real stores)',
  () => {
    let database: TestDatabase;
    let redisUrl: string;
    let stripe: TestStripeEmulator;
    let fleet: Fleet;
    let wallet: Db;

    beforeAll(async () => {
      database = await createTestDatabase('real');
      const redis = new URL(TEST_REDIS_URL!);
      redis.pathname = `/${REDIS_DB}`;
      redisUrl = redis.toString();
      const webhookSecret = 'whsec_rolling_restart_0123456789';
      stripe = await startStripeEmulator({ webhookSecret });
      fleet = await startFleet({
        databaseUrl: database.url!,
        redisUrl,
        adminKey: ADMIN_KEY,
        env: { MODELGRAPH_DRAIN_DELAY_MS: '300', MODELGRAPH_DRAIN_TIMEOUT_MS: '10000' },
        serviceEnv: {
          inference: { LOCAL_STREAM_DELAY_MS: '40' },
          billing: {
            STRIPE_SECRET_KEY: 'sk_test_emulator',
            STRIPE_WEBHOOK_SECRET: webhookSecret,
            STRIPE_API_URL: stripe.url,
          },
        },
      });
      wallet = await createDb({ url: database.url!, schema: WALLET_SCHEMA, poolSize: 1 });
    }, 300_000);
    afterAll(async () => {
      await wallet?.close();
      await fleet?.stop();
      await stripe?.close();
      await database?.drop();
      if (redisUrl) {
        const redis = new Redis(redisUrl);
        await redis.flushdb();
        await redis.quit();
      }
    }, 60_000);

    it('fails no request, ends open streams with a terminal event, and keeps the ledger whole', async () => {
      const admin = async (query: string, variables: Record<string, unknown>) =>
        expectNoErrors(
          await gql<Record<string, { id?: string; secret?: string }>>(
            `${fleet.base}/graphql`,
            query,
            { token: ADMIN_KEY, variables },
          ),
        );
      const teamId = (
        await admin('mutation($n: String!) { createTeam(input: { name: $n }) { id } }', {
          n: 'Rolling',
        })
      ).createTeam!.id!;
      const key = (
        await admin(
          `mutation($t: ID!) { createApiKey(input: { teamId: $t, name: "load",
            scopes: ["models:read", "wallet:read", "inference:invoke"] }) { secret } }`,
          { t: teamId },
        )
      ).createApiKey!.secret!;
      await admin('mutation($i: ModelAccessInput!) { setModelAccess(input: $i) { id } }', {
        i: { teamId, effect: 'ALLOW', subject: 'ANY' },
      });
      await admin(
        `mutation($w: ID!) { grantCredits(walletId: $w, amount: "1000000000",
          idempotencyKey: "rolling-grant") { id } }`,
        { w: teamId },
      );

      const load = startSteadyLoad({ base: fleet.base, key, teamId, queries: 3, paid: 2 });
      const ends: Record<string, StreamEnd[]> = {};
      const seconds: Record<string, number> = {};
      try {
        // The new processes start (and get ready) under load first, all at once to save time.
        const replacements = await Promise.all(
          FLEET_SERVICES.map((n) => fleet.startReplacement(n)),
        );
        for (const [index, name] of FLEET_SERVICES.entries()) {
          const started = Date.now();
          const step = (what: string) =>
            process.stderr.write(
              `[rolling restart] ${name}: ${what} at ${Date.now() - started} ms\n`,
            );
          const before = { ...load.answered };
          // Both streams run on the old process (the proxy has not switched yet) when it drains.
          let opened = 0;
          let streams!: Promise<StreamEnd[]>;
          const bothOpen = new Promise<void>((resolve) => {
            const one = () => ++opened === 2 && resolve();
            streams = Promise.all([
              graphqlStream(fleet.base, key, one),
              openAiStream(openAiClient(fleet.base, key), one),
            ]);
          });
          await Promise.race([bothOpen, streams]);
          step('streams open, switching');
          const exitCode = await fleet.switchTo(name, replacements[index]!);
          step('old process exited');
          expect({ name, exitCode }).toEqual({ name, exitCode: 0 });
          ends[name] = await streams;
          step(`streams ended: ${ends[name].join(', ')}`);
          // The new process serves: the load goes on through it.
          await eventually(
            `the load goes on after ${name}'s restart`,
            async () => {
              const served = await fleet
                .current(name)
                .metric('modelgraph_http_request_duration_seconds_count', { route: '/graphql' });
              const { query, paid } = load.answered;
              if (query > before.query + 5 && paid > before.paid + 5 && served > 0) return true;
              throw new Error(
                `answered ${query} queries, ${paid} paid; ${served} served by the new ${name}; ` +
                  `${load.failures.length} failures: ${load.failures[0]?.detail ?? ''}`,
              );
            },
            { timeoutMs: 30_000 },
          );
          seconds[name] = (Date.now() - started) / 1000;
        }
      } finally {
        await load.stop();
      }
      console.info(
        '[rolling restart] seconds per restart',
        seconds,
        'answered',
        load.answered,
        'queries sent again after a kept-alive connection closed',
        load.retried.count,
      );

      expect(load.failures).toEqual([]);
      expect(ends).toEqual(
        Object.fromEntries(
          FLEET_SERVICES.map((name) => [
            name,
            ENDS_STREAMS.includes(name)
              ? ['shutting down', 'shutting down']
              : ['completed', 'completed'],
          ]),
        ),
      );
      await expectLedgerInvariants(wallet);
    }, 420_000);
  },
);
