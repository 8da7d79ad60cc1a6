import { LRUCache } from 'lru-cache';
import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../../lib/logging.js';
import type { ClientIdentity } from '../clients/client-identity.js';
import { coordinatesOf } from './schema-coordinates.js';
import {
  USAGE_BATCH_SIZE,
  type UsageBatch,
  type UsageOperation,
} from '../../lib/policy/usage-batch.js';

export interface UsageSettings {
  /** Count operations at all. @default true */
  enabled: boolean;
  /** How often counts are sent to policy. @default 5000 */
  flushIntervalMs: number;
  /** Distinct (hour, client, operation) counts held between flushes; more are dropped. @default 10000 */
  maxPending: number;
}

export const DEFAULT_USAGE_SETTINGS: UsageSettings = {
  enabled: true,
  flushIntervalMs: 5_000,
  maxPending: 10_000,
};

/** One operation the gateway is about to run. */
export interface UsedOperation {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** The document's SHA-256 (hex) of its text, as Apollo's `queryHash`. */
  hash: string;
  client: ClientIdentity;
}

/** Where batches go (policy's internal usage route). */
export type SendUsage = (batch: UsageBatch) => Promise<unknown>;

const HOUR_MS = 3_600_000;
/** Coordinates are kept for this many (document, operation) pairs. */
const COORDINATE_CACHE_SIZE = 2_000;

/**
 * Counts, in memory, how often each client (name and version) runs each operation, per hour, and
 * sends the counts to policy every `flushIntervalMs` with each operation's schema coordinates
 * (computed once per document and operation). Never in a request's way: recording is a map
 * update, a full buffer drops what does not fit, and a batch policy does not take is dropped;
 * both are counted in `modelgraph_usage_dropped_total`.
 */
export function createUsageRecorder(deps: {
  settings: UsageSettings;
  send: SendUsage;
  logger: Logger;
  registry: Registry;
  now?: () => number;
}) {
  const { settings, logger } = deps;
  const now = deps.now ?? Date.now;
  const dropped = new Counter({
    name: 'modelgraph_usage_dropped_total',
    help: 'Operation executions the gateway did not report to field usage: buffer full, or policy unreachable.',
    labelNames: ['reason'],
    registers: [deps.registry],
  });
  let forSchema: GraphQLSchema | undefined;
  const coordinates = new LRUCache<string, UsageOperation>({ max: COORDINATE_CACHE_SIZE });
  let operations = new Map<string, UsageOperation>();
  let counts = new Map<string, UsageBatch['counts'][number]>();
  let flushing: Promise<void> | undefined;

  const describe = (used: UsedOperation): UsageOperation => {
    if (used.schema !== forSchema) {
      coordinates.clear();
      forSchema = used.schema;
    }
    const name = used.operation.name?.value ?? '';
    const key = `${used.hash}:${name}`;
    let known = coordinates.get(key);
    if (!known) {
      known = {
        hash: used.hash,
        name,
        type: used.operation.operation,
        coordinates: coordinatesOf(used.schema, used.document, used.operation),
      };
      coordinates.set(key, known);
    }
    return known;
  };

  let currentHour = { start: -1, iso: '' };
  /** The hour's start as ISO text, made once per hour rather than per operation. */
  const hourOf = (time: number) => {
    const start = Math.floor(time / HOUR_MS) * HOUR_MS;
    if (start !== currentHour.start) currentHour = { start, iso: new Date(start).toISOString() };
    return currentHour.iso;
  };

  const record = (used: UsedOperation) => {
    if (!settings.enabled) return;
    const operation = describe(used);
    const hour = hourOf(now());
    // Header values and GraphQL names hold no newline.
    const key = `${hour}\n${used.client.name}\n${used.client.version}\n${used.hash}\n${operation.name}`;
    const count = counts.get(key);
    if (count) {
      count.count += 1;
      return;
    }
    if (counts.size >= settings.maxPending) {
      dropped.inc({ reason: 'full' });
      return;
    }
    counts.set(key, {
      hour,
      clientName: used.client.name,
      clientVersion: used.client.version,
      hash: used.hash,
      name: operation.name,
      count: 1,
    });
    operations.set(`${used.hash}:${operation.name}`, operation);
  };

  /** The pending counts in batches of USAGE_BATCH_SIZE, each with the operations it names. */
  const takeBatches = (): UsageBatch[] => {
    const all = [...counts.values()];
    const described = operations;
    counts = new Map();
    operations = new Map();
    const batches: UsageBatch[] = [];
    for (let i = 0; i < all.length; i += USAGE_BATCH_SIZE) {
      const part = all.slice(i, i + USAGE_BATCH_SIZE);
      const named = new Map(part.map((c) => [`${c.hash}:${c.name}`, c]));
      batches.push({
        counts: part,
        operations: [...named.keys()].flatMap((key) => described.get(key) ?? []),
      });
    }
    return batches;
  };

  const sendPending = async () => {
    let failed = false;
    for (const batch of takeBatches()) {
      try {
        // After one failure the rest of this flush is dropped too: no pile-up behind policy.
        if (!failed) await deps.send(batch);
      } catch (error) {
        failed = true;
        logger.warn({ err: error }, 'could not report field usage; dropping this flush');
      }
      if (failed) {
        dropped.inc(
          { reason: 'unreachable' },
          batch.counts.reduce((sum, c) => sum + c.count, 0),
        );
      }
    }
  };

  /** One flush at a time; a flush asked for during one joins it. */
  const flush = () =>
    (flushing ??= sendPending().finally(() => {
      flushing = undefined;
    }));

  const timer = setInterval(() => void flush(), settings.flushIntervalMs);
  timer.unref();

  return {
    record,
    /** Sends what is counted now (stop() does it last). */
    flush,
    /** Stops the timer and sends what is left, giving up after `timeoutMs`. */
    async stop(timeoutMs = 2_000) {
      clearInterval(timer);
      let expired: NodeJS.Timeout | undefined;
      // The second flush sends what was counted while a flush already under way was sending.
      await Promise.race([
        flush().then(flush),
        new Promise<void>((resolve) => {
          expired = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(expired);
    },
  };
}

export type UsageRecorder = ReturnType<typeof createUsageRecorder>;
