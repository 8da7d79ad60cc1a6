import { readFileSync } from 'node:fs';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { buyCredits, startBillingStack, type BillingStack } from '../support/billing-stack.js';
import { eventually } from '../support/eventually.js';
import { expectErrorCode, expectNoErrors } from '../support/graphql-client.js';
import { createCallingTeam, GENERATE } from '../support/inference-setup.js';
import {
  RUNBOOK_FILE,
  dashboardQueries,
  exportedNames,
  headingAnchors,
  loadRules,
  metricNames,
  type Query,
} from '../support/observability-assets.js';
import { TEST_ADMIN_KEY } from '../support/stack.js';
import { STORE_MODES } from '../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';
import { typed } from '../support/typed-document.js';
import { supergraphPorts } from '../support/subgraph-list.js';

const SET_QUOTA = typed<unknown, { t: string; q: Record<string, number> }>(
  `mutation($t: ID!, $q: QuotaInput!) { setQuota(teamId: $t, input: $q) { quota { requestsPerMinute } } }`,
);
const CALL = {
  i: {
    model: 'local/echo-chat',
    messages: [{ role: 'USER', content: 'Which metrics exist?' }],
    temperature: 0,
    maxTokens: 16,
  },
};
const SEVERITIES = ['page', 'warning'];
const DURATION = /^[0-9]+[smhd]$/;
// Recording rules' names, as Prometheus recommends: level:metric:operations.
const RECORDED = /^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$/;

// What deploy/ asks of /metrics does not depend on the stores: one mode suffices, the real servers
// where there are (CI: a stack starts there in a third of the embedded stores' time).
const MODE = STORE_MODES.at(-1)!;

describe('dashboards and alerting rules against a running stack', () => {
  let billing: BillingStack;
  /** Every service's /metrics page after the traffic, by service. */
  const pages: Record<string, string> = {};
  const exported = new Set<string>();

  const scrape = async () => {
    const { stack } = billing;
    const urls: Record<string, string> = { gateway: `${stack.gatewayBase}/metrics` };
    for (const [name, url] of Object.entries(stack.subgraphUrls)) {
      urls[name] = url.replace(/\/graphql$/, '/metrics');
    }
    for (const [name, url] of Object.entries(urls)) {
      const response = await fetch(url);
      expect(response.status).toBe(200);
      pages[name] = await response.text();
    }
  };

  beforeAll(async () => {
    billing = await startBillingStack(MODE);
    const { stack } = billing;
    // A webhook: a checkout paid at the emulator, granted when its event arrives.
    const payer = await billing.createTeam('Payer');
    await buyCredits(billing, { teamId: payer.teamId, amountMinor: 1000, token: payer.token });
    // A paid call, the same call answered by the cache, then one the rate limit refuses.
    const caller = await createCallingTeam(stack, { name: 'Observed' });
    expectNoErrors(
      await stack.request(SET_QUOTA, {
        token: TEST_ADMIN_KEY,
        variables: { t: caller.teamId, q: { requestsPerMinute: 2 } },
      }),
    );
    expect(expectNoErrors(await caller.call(GENERATE, CALL)).generate.cached).toBe(false);
    expect(expectNoErrors(await caller.call(GENERATE, CALL)).generate.cached).toBe(true);
    expectErrorCode(await caller.call(GENERATE, CALL), 'RATE_LIMITED');
    // The wallet checks the ledger's invariants at start; its first check may still run.
    await eventually(
      'the wallet exported its first invariant check',
      async () => {
        await scrape();
        return /modelgraph_wallet_ledger_invariant_ok\{/.test(pages.wallet!) || undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    for (const page of Object.values(pages)) {
      for (const name of exportedNames(page).declared) exported.add(name);
    }
    // Process metrics (CPU, memory, event loop): every service's main.ts asks prom-client for
    // them; the test stack runs every service in one process and leaves them off.
    const processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
    for (const name of exportedNames(await processMetrics.metrics()).declared) exported.add(name);
  }, STACK_START_TIMEOUT_MS + 60_000);
  afterAll(async () => {
    await billing?.stop();
  });

  const rules = loadRules();
  const recorded = new Set(rules.groups.flatMap((g) => g.rules.map((r) => r.record ?? '')));
  const ruleQueries: Query[] = rules.groups.flatMap((g) =>
    g.rules.map((r) => ({ where: `${g.name}: ${r.alert ?? r.record}`, expr: String(r.expr) })),
  );
  const unexported = (queries: Query[]) =>
    queries.flatMap(({ where, expr }) =>
      metricNames(expr)
        .filter((name) => !exported.has(name) && !recorded.has(name))
        .map((name) => `${where}: ${name}`),
    );

  it('scrapes every service, and would catch a metric nobody exports', () => {
    expect(Object.keys(pages).sort()).toEqual(
      ['gateway', ...supergraphPorts().map((s) => s.name)].sort(),
    );
    expect(unexported([{ where: 'probe', expr: 'rate(modelgraph_made_up_total[5m])' }])).toEqual([
      'probe: modelgraph_made_up_total',
    ]);
    expect(() => metricNames('sum(rate(x[5m])')).toThrow(/does not parse/);
  });

  it('uses, in every dashboard panel, only metrics the services export', () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(40);
    expect(unexported(queries)).toEqual([]);
  });

  it('uses, in every rule, only metrics the services export or the rules record', () => {
    expect(unexported(ruleQueries)).toEqual([]);
  });

  it('gives every alert a severity, a summary and a runbook section that exists', () => {
    const anchors = headingAnchors(readFileSync(RUNBOOK_FILE, 'utf8'));
    const alerts = rules.groups.flatMap((g) => g.rules).filter((r) => r.alert);
    expect(alerts.length).toBeGreaterThanOrEqual(10);
    const problems = alerts.flatMap((rule) => {
      const { alert, labels, annotations } = rule;
      const runbook = /^docs\/runbook\.md#(.+)$/.exec(annotations?.runbook_url ?? '');
      return [
        !SEVERITIES.includes(labels?.severity ?? '') && `${alert}: severity`,
        !(annotations?.summary && annotations.description) && `${alert}: summary or description`,
        !runbook && `${alert}: runbook_url`,
        runbook && !anchors.has(runbook[1]!) && `${alert}: no runbook section #${runbook[1]}`,
      ].filter(Boolean);
    });
    expect(problems).toEqual([]);
  });

  it('has the shape of a Prometheus rule file', () => {
    expect(Object.keys(rules)).toEqual(['groups']);
    const groupNames = rules.groups.map((g) => g.name);
    expect(new Set(groupNames).size).toBe(groupNames.length);
    const alertNames = new Set<string>();
    for (const group of rules.groups) {
      expect(group.rules.length).toBeGreaterThan(0);
      for (const rule of group.rules) {
        const where = `${group.name}: ${rule.alert ?? rule.record}`;
        const allowed = rule.alert
          ? ['alert', 'expr', 'for', 'labels', 'annotations']
          : ['record', 'expr', 'labels'];
        expect({ where, keys: Object.keys(rule).filter((k) => !allowed.includes(k)) }).toEqual({
          where,
          keys: [],
        });
        expect({ where, hasOneKind: Boolean(rule.alert) !== Boolean(rule.record) }).toEqual({
          where,
          hasOneKind: true,
        });
        expect(typeof rule.expr).toBe('string');
        if (rule.record) expect(rule.record).toMatch(RECORDED);
        if (rule.for !== undefined) expect(rule.for).toMatch(DURATION);
        if (rule.alert) {
          expect(alertNames.has(rule.alert)).toBe(false);
          alertNames.add(rule.alert);
        }
      }
    }
  });

  it('exports the labelled series the traffic made: saga, limits, caches, ledger, webhooks', () => {
    const series = (service: string) => pages[service]!.split('\n');
    const has = (service: string, pattern: RegExp) =>
      expect({
        service,
        pattern: String(pattern),
        found: series(service).some((l) => pattern.test(l)),
      }).toMatchObject({ found: true });
    has(
      'inference',
      /^modelgraph_inference_saga_step_duration_seconds_count\{[^}]*step="provider",outcome="ok"/,
    );
    has('inference', /^modelgraph_inference_saga_step_duration_seconds_count\{[^}]*step="capture"/);
    has(
      'inference',
      /^modelgraph_inference_rate_limit_refusals_total\{[^}]*reason="LIMITED",limit="rpm"[^}]*\} 1$/,
    );
    has(
      'inference',
      /^modelgraph_inference_provider_attempts_total\{[^}]*model="local\/echo-chat",outcome="SUCCEEDED"/,
    );
    has(
      'inference',
      /^modelgraph_inference_circuit_state\{[^}]*model="local\/echo-chat",state="CLOSED"[^}]*\} 1$/,
    );
    has(
      'inference',
      /^modelgraph_cache_lookups_total\{[^}]*cache="generation",result="hit"[^}]*\} 1$/,
    );
    has('gateway', /^modelgraph_cache_lookups_total\{[^}]*cache="api_key_near",result="hit"/);
    has('gateway', /^modelgraph_graphql_operation_duration_seconds_count\{[^}]*outcome="error"/);
    // RATE_LIMITED is an expected refusal: it spends no error budget (outcome fault).
    expect(series('gateway').filter((l) => /_count\{[^}]*outcome="fault"/.test(l))).toEqual([]);
    has(
      'wallet',
      /^modelgraph_wallet_ledger_operations_total\{[^}]*operation="grant",outcome="ok"/,
    );
    has('wallet', /^modelgraph_wallet_holds_open\{[^}]*\} \d+$/);
    has('billing', /^modelgraph_billing_webhook_events_total\{[^}]*outcome="HANDLED"/);
    const invariants = series('wallet').filter((l) =>
      l.startsWith('modelgraph_wallet_ledger_invariant_ok{'),
    );
    expect(invariants).toHaveLength(6);
    expect(invariants.filter((l) => !l.endsWith(' 1'))).toEqual([]);
  });
});
