import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ServiceMetrics {
  registry: Registry;
  /** GraphQL operations served, by operation name and outcome (ok, error: expected, fault: ours). */
  operationDuration: Histogram<'operation' | 'outcome'>;
  /** HTTP requests served, by route and status. */
  httpDuration: Histogram<'route' | 'status'>;
}

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * One registry per service, so several services in one process (`npm start`) keep their series
 * apart. `defaultMetrics` is for the process's own metrics: only one service per process asks.
 */
export function createServiceMetrics(
  service: string,
  options: { defaultMetrics?: boolean } = {},
): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    operationDuration: new Histogram({
      name: 'modelgraph_graphql_operation_duration_seconds',
      help:
        'Duration of GraphQL operations, by operation name and outcome (ok; error: an expected ' +
        'refusal or bad input; fault: an internal error or a store unavailable).',
      labelNames: ['operation', 'outcome'],
      buckets: BUCKETS,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'modelgraph_http_request_duration_seconds',
      help: 'Duration of HTTP requests, by route and status code.',
      labelNames: ['route', 'status'],
      buckets: BUCKETS,
      registers: [registry],
    }),
  };
}

export const SUBGRAPH_FETCH_BUCKETS = BUCKETS;

/**
 * The `route` label of GraphQL event streams in `httpDuration` (the gateway's and the subgraphs'),
 * apart from /graphql's plain requests: a stream lives for minutes.
 */
export const STREAM_ROUTE_LABEL = '/graphql (stream)';

const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_DISTINCT_OPERATIONS = 500;

/**
 * Operation names come from clients, so they are bounded before becoming label values: malformed
 * names become `invalid`, and past a fixed number of distinct names the rest become `other`.
 */
export function createOperationLabeler(): (name: string | null | undefined) => string {
  const seen = new Set<string>();
  return (name) => {
    if (!name) return 'anonymous';
    if (!OPERATION_NAME.test(name)) return 'invalid';
    if (seen.has(name)) return name;
    if (seen.size >= MAX_DISTINCT_OPERATIONS) return 'other';
    seen.add(name);
    return name;
  };
}

/** Counts a cache's lookups: `hits` found, `misses` not (several at once for a batch lookup). */
export type CacheLookups = (cache: string, hits: number, misses: number) => void;

/**
 * The shared cache counter of a registry (`modelgraph_cache_lookups_total`, by cache and result),
 * made once per registry however many caches count into it. `cache` names one of our caches (a
 * fixed set), never a key.
 */
export function createCacheLookups(registry: Registry): CacheLookups {
  const name = 'modelgraph_cache_lookups_total';
  const counter =
    (registry.getSingleMetric(name) as Counter<'cache' | 'result'> | undefined) ??
    new Counter({
      name,
      help: 'Cache lookups, by cache and result (hit or miss).',
      labelNames: ['cache', 'result'],
      registers: [registry],
    });
  return (cache, hits, misses) => {
    // Both series exist from the first lookup, so a hit ratio is defined from then on.
    counter.inc({ cache, result: 'hit' }, hits);
    counter.inc({ cache, result: 'miss' }, misses);
  };
}
