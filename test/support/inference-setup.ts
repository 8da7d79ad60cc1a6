import { expectNoErrors } from './graphql-client.js';
import { BALANCE, GRANT, type Balance } from './inference-documents.js';
import { TEST_ADMIN_KEY, type Stack } from './stack.js';
import { typed, type Operation } from './typed-document.js';

const ALLOW = typed<{ setModelAccess: { id: string } }>(
  `mutation($i: ModelAccessInput!) { setModelAccess(input: $i) { id } }`,
);

import { eventually } from './eventually.js';

export { GENERATE } from './inference-documents.js';

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
  const admin = <D, V>(operation: Operation<D, V>, variables: V) =>
    stack.request(operation, { token: TEST_ADMIN_KEY, variables });
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
  const balance = async (): Promise<Balance> => {
    const data = expectNoErrors(
      await stack.request(BALANCE, { token: team.key, variables: { id: team.teamId } }),
    );
    return data.team.wallet.balance;
  };
  return {
    ...team,
    /** Sends `operation` with the team's key. */
    call: <D = unknown, V = Record<string, unknown>>(operation: Operation<D, V>, variables?: V) =>
      stack.request(operation, { token: team.key, variables }),
    balance,
    /**
     * The balance once nothing is held: calls settle against credit leases, which the inference
     * service returns to the wallet once idle (INFERENCE_CREDIT_LEASE_IDLE_MS, decision 62).
     */
    async settledBalance(): Promise<Balance> {
      return eventually(
        'the credit leases returned (nothing held)',
        async () => {
          const now = await balance();
          return now.held === '0' ? now : undefined;
        },
        { timeoutMs: 15_000, intervalMs: 100 },
      );
    },
  };
}

export type CallingTeam = Awaited<ReturnType<typeof createCallingTeam>>;
