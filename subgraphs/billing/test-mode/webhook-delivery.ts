/**
 * Sends events to the webhook endpoint as Stripe does: a signed POST of the event's JSON, retried
 * with backoff after a non-2xx answer or a network error, and no promise of order or of a single
 * delivery. Tests make those promises visibly absent: duplicates, a shuffled order, a delay, and
 * holding events back until `flush()`. Attempts run one at a time (`concurrency` 1) so that
 * without faults the order is the emission order; raise it to deliver duplicates concurrently.
 */
import type { Logger } from '../../../lib/logging.js';
import { signPayload } from './webhook-signature.js';

/** Fault controls; see `setDelivery`. */
export interface DeliverySettings {
  /** Extra copies of each event (each signed and retried on its own). @default 0 */
  duplicates: number;
  /** Deliver what is ready in random order rather than emission order. @default false */
  shuffle: boolean;
  /** Wait this long after an event before its first attempt. @default 0 */
  delayMs: number;
  /** Keep events back (not counted by `whenDelivered`) until `flush()`. @default false */
  holdBack: boolean;
  /** Attempts in flight at once. @default 1 */
  concurrency: number;
}

/** One attempt, in the `deliveries` log. */
export interface DeliveryRecord {
  eventId: string;
  type: string;
  attempt: number;
  /** The endpoint's HTTP status, or null when the request failed (refused, reset, timed out). */
  status: number | null;
  error?: string;
  /** Wall-clock ms when the attempt ended. */
  at: number;
}

export type DeliveryState = 'held' | 'delayed' | 'queued' | 'in_flight' | 'retry_wait';

/** A delivery not finished yet: `attempt` is the one running or next. */
export interface PendingDelivery {
  eventId: string;
  type: string;
  attempt: number;
  state: DeliveryState;
}

interface Job extends PendingDelivery {
  payload: string;
  timer?: NodeJS.Timeout;
}

export interface WebhookDeliveryOptions {
  secret: string;
  url?: string;
  /** Waits before the 2nd, 3rd, ... attempt; attempts = length + 1. */
  retryDelaysMs: number[];
  /** How long one attempt may take. @default 10_000 */
  attemptTimeoutMs?: number;
  logger?: Logger;
  /** Told when an event reached the endpoint (a 2xx). */
  onDelivered?: (eventId: string) => void;
}

export const DEFAULT_DELIVERY: DeliverySettings = {
  duplicates: 0,
  shuffle: false,
  delayMs: 0,
  holdBack: false,
  concurrency: 1,
};

export type WebhookDelivery = ReturnType<typeof createWebhookDelivery>;

export function createWebhookDelivery(options: WebhookDeliveryOptions) {
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 10_000;
  let url = options.url;
  let settings: DeliverySettings = { ...DEFAULT_DELIVERY };
  let jobs: Job[] = [];
  const deliveries: DeliveryRecord[] = [];
  const aborts = new Set<AbortController>();
  let waiters: (() => void)[] = [];
  let inFlight = 0;
  let pumpScheduled = false;

  const settled = () => inFlight === 0 && jobs.every((job) => job.state === 'held');
  function notify(): void {
    if (!settled()) return;
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  }

  // Pumping waits a turn so that every event of one transition is queued before any is picked
  // (else `shuffle` would have nothing to shuffle).
  function schedulePump(): void {
    if (pumpScheduled) return;
    pumpScheduled = true;
    setImmediate(() => {
      pumpScheduled = false;
      pump();
    });
  }

  function pump(): void {
    while (inFlight < settings.concurrency) {
      const queued = jobs.filter((job) => job.state === 'queued');
      if (queued.length === 0) break;
      const job = settings.shuffle ? queued[Math.floor(Math.random() * queued.length)] : queued[0];
      void attempt(job);
    }
    notify();
  }

  function ready(job: Job, delayMs: number): void {
    if (delayMs <= 0) {
      job.state = 'queued';
      schedulePump();
      return;
    }
    job.timer = setTimeout(() => {
      job.timer = undefined;
      job.state = 'queued';
      schedulePump();
    }, delayMs);
  }

  async function post(job: Job): Promise<Omit<DeliveryRecord, 'at'>> {
    const record = { eventId: job.eventId, type: job.type, attempt: job.attempt };
    if (!url) return { ...record, status: null, error: 'no webhook endpoint' };
    const abort = new AbortController();
    aborts.add(abort);
    const timer = setTimeout(() => abort.abort(new Error('attempt timed out')), attemptTimeoutMs);
    try {
      const timestamp = Math.floor(Date.now() / 1000);
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'stripe-signature': signPayload(job.payload, options.secret, timestamp),
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks) modelgraph-emulator',
        },
        body: job.payload,
        signal: abort.signal,
      });
      await response.arrayBuffer().catch(() => undefined);
      return { ...record, status: response.status };
    } catch (error) {
      return { ...record, status: null, error: (error as Error).message };
    } finally {
      clearTimeout(timer);
      aborts.delete(abort);
    }
  }

  async function attempt(job: Job): Promise<void> {
    job.state = 'in_flight';
    inFlight += 1;
    const result = await post(job);
    inFlight -= 1;
    if (!jobs.includes(job)) return notify(); // reset() or close() while it ran
    deliveries.push({ ...result, at: Date.now() });
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    const retryDelay = options.retryDelaysMs[job.attempt - 1];
    if (ok) {
      options.onDelivered?.(job.eventId);
    } else if (retryDelay !== undefined && url) {
      job.attempt += 1;
      job.state = 'retry_wait';
      ready(job, retryDelay);
      schedulePump();
      return;
    } else {
      options.logger?.warn(
        { eventId: job.eventId, type: job.type, attempts: job.attempt, status: result.status },
        'stripe emulator: webhook delivery gave up',
      );
    }
    jobs = jobs.filter((other) => other !== job);
    schedulePump();
  }

  function add(eventId: string, type: string, payload: string, copies: number): void {
    if (!url) return;
    for (let i = 0; i < copies; i++) {
      const job: Job = { eventId, type, payload, attempt: 1, state: 'held' };
      jobs.push(job);
      if (settings.holdBack) continue;
      job.state = 'delayed';
      ready(job, settings.delayMs);
    }
  }

  const clearJobs = () => {
    for (const job of jobs) clearTimeout(job.timer);
    jobs = [];
  };

  return {
    deliveries,
    get url() {
      return url;
    },
    setUrl(next: string | undefined): void {
      url = next;
    },

    /** Queues an event (its payload is the exact bytes every attempt sends). */
    enqueue(eventId: string, type: string, payload: string): void {
      add(eventId, type, payload, 1 + settings.duplicates);
    },

    /** Sends an event again with the same id and payload, as the dashboard's "Resend" does. */
    redeliver(eventId: string, type: string, payload: string): void {
      add(eventId, type, payload, 1);
    },

    setDelivery(changes: Partial<DeliverySettings>): void {
      settings = { ...settings, ...changes };
      schedulePump();
    },

    /** Releases held events (in random order when `shuffle` is on). */
    flush(): void {
      for (const job of jobs) {
        if (job.state !== 'held') continue;
        job.state = 'delayed';
        ready(job, settings.delayMs);
      }
    },

    pendingDeliveries(): PendingDelivery[] {
      return jobs.map(({ eventId, type, attempt, state }) => ({ eventId, type, attempt, state }));
    },

    /** Resolves once nothing is queued, waiting or in flight (held events do not count). */
    whenDelivered(): Promise<void> {
      return new Promise((resolve) => {
        waiters.push(resolve);
        notify();
      });
    },

    /** Forgets queued events, settings and the log; an attempt in flight ends unlogged. */
    reset(): void {
      clearJobs();
      settings = { ...DEFAULT_DELIVERY };
      deliveries.length = 0;
      notify();
    },

    close(): void {
      clearJobs();
      for (const abort of aborts) abort.abort(new Error('emulator closed'));
      notify();
    },
  };
}
