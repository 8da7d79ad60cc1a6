import { Counter, Gauge, type Registry } from 'prom-client';
import type { LiveStreams } from './live-streams.js';

/**
 * Prometheus series for streams: how many this replica serves now (read from `live` at each
 * scrape), and how many have settled, by model and finish reason.
 */
export function createStreamMetrics(registry: Registry, live: LiveStreams) {
  new Gauge({
    name: 'inference_open_streams',
    help: 'Streams this replica is serving now, from their first step to their last event.',
    registers: [registry],
    collect() {
      this.set(live.size);
    },
  });
  return {
    settled: new Counter({
      name: 'inference_streams_total',
      help:
        'Streams settled (charged, or replayed from the cache), by model and finish reason ' +
        '(CANCELLED: the client left; INTERRUPTED: the provider broke off or the server stopped).',
      labelNames: ['model', 'finish_reason'],
      registers: [registry],
    }),
  };
}

export type StreamMetrics = ReturnType<typeof createStreamMetrics>;
