import type { ServiceClient } from '../../../lib/service-client.js';
import { createRecordingLogger } from '../../../test/support/recording-logger.js';
import { createAuditClient, type BillingAuditEvent } from './audit-client.js';

const event = (n: number): BillingAuditEvent => ({
  teamId: null,
  action: 'PURCHASE_GRANTED',
  outcome: 'SUCCEEDED',
  targetType: 'Purchase',
  targetId: `p-${n}`,
  requestId: `r-${n}`,
});

/** An audit client over a policy route that records each call's targets, failing when told. */
function setup() {
  const calls: string[][] = [];
  let failing = false;
  const client = {
    post: async (_url: string, body: { serviceEvents: BillingAuditEvent[] }) => {
      calls.push(body.serviceEvents.map((e) => e.targetId));
      if (failing) throw new Error('policy is down');
      return { recorded: body.serviceEvents.length };
    },
  } as unknown as ServiceClient;
  const recording = createRecordingLogger();
  const audit = createAuditClient({
    client,
    policyUrl: 'http://policy.test/graphql',
    logger: recording.logger,
  });
  return { audit, calls, lines: recording.lines, fail: () => (failing = true) };
}

test('records arriving while a write is in flight go together in the next call, 50 at most', async () => {
  const { audit, calls } = setup();
  const all = Array.from({ length: 60 }, (_, i) => audit.record(event(i)));
  await Promise.all(all);
  expect(calls.map((c) => c.length)).toEqual([1, 50, 9]);
  expect(calls.flat()).toEqual(Array.from({ length: 60 }, (_, i) => `p-${i}`));
});

test('flush waits for records nobody awaited; a failed write is logged, never thrown', async () => {
  const { audit, calls, lines, fail } = setup();
  void audit.record(event(1));
  void audit.record(event(2), event(3));
  await audit.flush();
  expect(calls.flat()).toEqual(['p-1', 'p-2', 'p-3']);
  fail();
  await expect(audit.record(event(4))).resolves.toBeUndefined();
  expect(lines.map((l) => [l.msg, l.actions])).toEqual([
    ['could not write billing events to the audit log', ['PURCHASE_GRANTED']],
  ]);
});
