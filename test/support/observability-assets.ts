/**
 * Reads what deploy/ gives Prometheus and Grafana (the dashboards' panel queries and the rule
 * file) and what a /metrics page exports, as names a test can compare.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parser } from '@prometheus-io/lezer-promql';
import { parse as parseYaml } from 'yaml';

const root = new URL('../../', import.meta.url);
export const DASHBOARD_DIR = new URL('deploy/grafana/', root);
export const RULES_FILE = new URL('deploy/prometheus/alerts.yaml', root);
export const RUNBOOK_FILE = new URL('docs/runbook.md', root);

/** One PromQL query and where it comes from (for failure messages). */
export interface Query {
  where: string;
  expr: string;
}

interface Panel {
  title?: string;
  targets?: Array<{ expr?: string }>;
  panels?: Panel[];
}

/** Every query of every panel of every dashboard (rows' nested panels included). */
export function dashboardQueries(): Query[] {
  const queries: Query[] = [];
  for (const file of readdirSync(DASHBOARD_DIR).filter((f) => f.endsWith('.json'))) {
    const dashboard = JSON.parse(readFileSync(new URL(file, DASHBOARD_DIR), 'utf8')) as {
      panels: Panel[];
    };
    const visit = (panel: Panel) => {
      for (const target of panel.targets ?? []) {
        if (target.expr) queries.push({ where: `${file}: ${panel.title}`, expr: target.expr });
      }
      panel.panels?.forEach(visit);
    };
    dashboard.panels.forEach(visit);
  }
  return queries;
}

export interface Rule {
  record?: string;
  alert?: string;
  expr?: unknown;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function loadRules(): { groups: Array<{ name: string; rules: Rule[] }> } {
  return parseYaml(readFileSync(RULES_FILE, 'utf8'));
}

// Grafana's variables are not PromQL: each becomes something of the same syntactic kind.
const GRAFANA_VARIABLES: Array<[RegExp, string]> = [
  [/\$__rate_interval|\$__interval|\$__range/g, '5m'],
  [/\$service/g, 'gateway'],
];

/**
 * The metric names a query selects, parsed with Prometheus's own grammar (lezer-promql); throws
 * when the query does not parse.
 */
export function metricNames(expr: string): string[] {
  const promql = GRAFANA_VARIABLES.reduce(
    (q, [variable, value]) => q.replace(variable, value),
    expr,
  );
  const tree = parser.parse(promql);
  const names: string[] = [];
  const errors: number[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) errors.push(node.from);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') {
        names.push(promql.slice(node.from, node.to));
      }
    },
  });
  if (errors.length > 0) throw new Error(`PromQL does not parse at ${errors[0]}: ${promql}`);
  return names;
}

/**
 * The series names a /metrics page exports: each `# TYPE` line's name, with a histogram's
 * `_bucket`, `_sum` and `_count` and a summary's `_sum` and `_count`. `sampled` holds those with
 * at least one sample.
 */
export function exportedNames(page: string): { declared: Set<string>; sampled: Set<string> } {
  const declared = new Set<string>();
  const sampled = new Set<string>();
  for (const line of page.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) {
      const [, name, kind] = type as unknown as [string, string, string];
      declared.add(name);
      if (kind === 'histogram')
        ['_bucket', '_sum', '_count'].forEach((s) => declared.add(name + s));
      if (kind === 'summary') ['_sum', '_count'].forEach((s) => declared.add(name + s));
    } else if (/^[a-zA-Z_:]/.test(line)) {
      sampled.add(/^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)![0]);
    }
  }
  return { declared, sampled };
}

/** The anchors GitHub makes of a Markdown file's headings. */
export function headingAnchors(markdown: string): Set<string> {
  return new Set(
    [...markdown.matchAll(/^#{1,6} (.+)$/gm)].map(([, heading]) =>
      heading!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    ),
  );
}
