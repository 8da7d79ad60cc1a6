import { expectNoErrors } from './graphql-client.js';
import { createCallingTeam, type CallingTeam } from './inference-setup.js';
import { startStack, TEST_ADMIN_KEY, type Stack } from './stack.js';
import { hostPortOf, startTcpProxy, type TcpProxy } from './tcp-proxy.js';
import { TEST_REDIS_URL } from './test-env.js';

export interface RedisOutageStack {
  /** Stands between the inference subgraph and Redis: `down()` is the outage. */
  proxy: TcpProxy;
  stack: Stack;
  /** A calling team with `quota`: a team without one never asks the rate limiter. */
  team: CallingTeam;
  stop(): Promise<void>;
}

/**
 * A real-store stack whose inference subgraph (its kv and rate limiter) reaches Redis only through
 * a proxy, while the gateway and policy keep theirs: only the paid path loses Redis. An unanswered
 * rate-limit command counts as "Redis unreachable" after 200 ms.
 */
export async function startRedisOutageStack(options: {
  teamName: string;
  /** The team's `QuotaInput`. */
  quota: Record<string, number>;
  /** RATE_LIMIT_FAIL_OPEN. @default false */
  failOpen?: boolean;
}): Promise<RedisOutageStack> {
  const proxy = await startTcpProxy(hostPortOf(TEST_REDIS_URL!));
  const stack = await startStack({
    mode: 'real',
    inferenceRedisProxy: proxy,
    rateLimitCommandTimeoutMs: 200,
    ...(options.failOpen && { inference: { settings: { rateLimitFailOpen: true } } }),
  });
  const team = await createCallingTeam(stack, { name: options.teamName });
  expectNoErrors(
    await stack.request(
      `mutation($t: ID!, $q: QuotaInput!) { setQuota(teamId: $t, input: $q) { id } }`,
      { token: TEST_ADMIN_KEY, variables: { t: team.teamId, q: options.quota } },
    ),
  );
  return {
    proxy,
    stack,
    team,
    async stop() {
      proxy.up();
      await stack.stop();
      await proxy.close();
    },
  };
}
