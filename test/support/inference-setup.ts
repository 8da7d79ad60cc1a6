import { expectNoErrors } from './graphql-client.js';
import { TEST_ADMIN_KEY, type Stack } from './stack.js';

const GRANT = `mutation($w: ID!, $a: Micros!, $k: String!) {
  grantCredits(walletId: $w, amount: $a, idempotencyKey: $k) { id } }`;
const ALLOW = `mutation($i: ModelAccessInput!) { setModelAccess(input: $i) { id } }`;
const BALANCE = `query($id: ID!) { team(id: $id) { wallet { balance { available held posted owed } } } }`;

/** A team that may call models: a key with models:read + inference:invoke + wallet:read. */
export async function createCallingTeam(
  stack: Stack,
  options: { name: string; credits?: string; allow?: Array<{ subject: string; value?: string }> },
) {
  const team = await stack.createTeamWithKey(options.name, [
    'models:read',
    'inference:invoke',
    'wallet:read',
  ]);
  const admin = (query: string, variables: Record<string, unknown>) =>
    stack.request(query, { token: TEST_ADMIN_KEY, variables });
  if (options.credits !== '0') {
    expectNoErrors(
      await admin(GRANT, {
        w: team.teamId,
        a: options.credits ?? '100000000',
        k: `grant-${team.teamId}`,
      }),
    );
  }
  for (const rule of options.allow ?? [{ subject: 'ANY' }]) {
    expectNoErrors(await admin(ALLOW, { i: { teamId: team.teamId, effect: 'ALLOW', ...rule } }));
  }
  return {
    ...team,
    call: (query: string, variables: Record<string, unknown> = {}) =>
      stack.request(query, { token: team.key, variables }),
    async balance(): Promise<{ available: string; held: string; posted: string; owed: string }> {
      const data = expectNoErrors(
        await stack.request(BALANCE, { token: team.key, variables: { id: team.teamId } }),
      );
      return data.team.wallet.balance;
    },
  };
}

export type CallingTeam = Awaited<ReturnType<typeof createCallingTeam>>;

export const GENERATE = `mutation($i: GenerateInput!) { generate(input: $i) {
  id route text finishReason cost chargeStatus priceVersion cached shared latencyMs
  model { id }
  usage { inputTokens outputTokens totalTokens }
  attempts { model { id } provider outcome error httpStatus latencyMs retryAfterMs } } }`;
