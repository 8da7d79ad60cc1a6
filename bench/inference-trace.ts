import diagnostics from 'node:diagnostics_channel';
import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { availableParallelism } from 'node:os';
import pg from 'pg';
import { localCallChannel, type LocalCallMessage } from '../lib/http/local-routes.js';
import type { RateLimiter } from '../lib/rate-limit/index.js';
import { createCpuProfiler } from './inference-cpu-profile.js';

/*
 * Where a `generate` spends its time, seen from outside the production code: Node's and undici's
 * diagnostics channels time every HTTP request each server answers (by port: gateway, subgraphs,
 * provider) and every request the platform sends (by destination and GraphQL operation name), the
 * route table's channel every call answered in process (`⇢`, lib/http/local-routes.ts), and
 * the rate limiter shared with the inference subgraph is wrapped to time reserve and settle, and
 * every PostgreSQL statement is timed by its verb and first table; the
 * process's CPU is profiled meanwhile. Off until `start()`; `stop()` returns markdown tables, the
 * steps normalised per gateway request.
 */

interface UndiciRequest {
  origin?: string | URL;
  body?: unknown;
}

const OPERATION = /"query"\s*:\s*"\s*(?:query|mutation)\s+(\w+)/;
const LOOP_RESOLUTION_MS = 10;

export function startStepTrace(ports: Record<string, string>, rateLimiter: RateLimiter) {
  let samples: Map<string, number[]> | undefined;
  let began = { wall: 0, cpu: process.cpuUsage(), machine: machineCpu() };
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  const profiler = createCpuProfiler();
  const add = (label: string, ms: number) => {
    if (!samples) return;
    const list = samples.get(label);
    if (list) list.push(ms);
    else samples.set(label, [ms]);
  };

  const served = new WeakMap<object, number>();
  diagnostics.subscribe('http.server.request.start', (message) => {
    if (samples) served.set((message as { request: object }).request, performance.now());
  });
  diagnostics.subscribe('http.server.response.finish', (message) => {
    const { request, server } = message as { request: IncomingMessage; server: Server };
    const started = served.get(request);
    if (started === undefined) return;
    const port = String((server.address() as AddressInfo | null)?.port);
    add(`${ports[port] ?? port} serves`, performance.now() - started);
  });

  const sent = new WeakMap<object, { label: string; at: number }>();
  diagnostics.subscribe('undici:request:create', (message) => {
    if (!samples) return;
    const request = (message as { request: UndiciRequest }).request;
    const port = request.origin ? new URL(String(request.origin)).port : '';
    const head = Buffer.isBuffer(request.body) ? request.body.subarray(0, 120).toString() : '';
    const operation = OPERATION.exec(head)?.[1];
    const label = `→ ${ports[port] ?? port}${operation ? ` ${operation}` : ''}`;
    sent.set(request, { label, at: performance.now() });
  });
  diagnostics.subscribe('undici:request:trailers', (message) => {
    const request = (message as { request: object }).request;
    const entry = sent.get(request);
    if (entry) add(entry.label, performance.now() - entry.at);
  });

  localCallChannel.subscribe((message) => {
    if (!samples) return;
    const { url, request, answer } = message as LocalCallMessage;
    const operation = OPERATION.exec(request.body.slice(0, 120))?.[1];
    const label = `⇢ ${ports[url.port] ?? url.port}${operation ? ` ${operation}` : ''}`;
    const at = performance.now();
    answer.then(
      () => add(label, performance.now() - at),
      () => undefined,
    );
  });

  const reserve = rateLimiter.reserve.bind(rateLimiter);
  const settle = rateLimiter.settle.bind(rateLimiter);
  const timed = async <T>(label: string, call: () => Promise<T>): Promise<T> => {
    const at = performance.now();
    try {
      return await call();
    } finally {
      add(label, performance.now() - at);
    }
  };
  rateLimiter.reserve = (...args) => timed('redis rate-limit reserve', () => reserve(...args));
  rateLimiter.settle = (...args) => timed('redis rate-limit settle', () => settle(...args));

  timePostgres(add);

  return {
    async start(): Promise<string> {
      await profiler.start();
      samples = new Map();
      began = { wall: performance.now(), cpu: process.cpuUsage(), machine: machineCpu() };
      loopDelay.reset();
      loopDelay.enable();
      return 'tracing';
    },
    async stop(label: string): Promise<string> {
      const taken = samples ?? new Map<string, number[]>();
      samples = undefined;
      loopDelay.disable();
      const cpu = process.cpuUsage(began.cpu);
      const wallMs = performance.now() - began.wall;
      const busy = (cpu.user + cpu.system) / 1000 / wallMs;
      const machine = machineCpu();
      const share = (name: string) => {
        const ms = (machine.get(name) ?? 0) - (began.machine.get(name) ?? 0);
        return `${Math.round((100 * ms) / wallMs)} %`;
      };
      // The histogram counts from the sampling timer's due time plus its interval.
      const delay = (p: number) => (loopDelay.percentile(p) / 1e6 - LOOP_RESOLUTION_MS).toFixed(1);
      const calls = taken.get('gateway serves')?.length ?? 0;
      const rows = [...taken.entries()].map(([label, ms]) => {
        ms.sort((a, b) => a - b);
        const total = ms.reduce((a, b) => a + b, 0);
        const p50 = ms[Math.floor(ms.length / 2)] ?? 0;
        return `| ${label} | ${(ms.length / Math.max(1, calls)).toFixed(2)} | ${p50.toFixed(2)} | ${(total / ms.length).toFixed(2)} |`;
      });
      return [
        `CPU, in % of one core: platform process ${(busy * 100).toFixed(0)} %, PostgreSQL ${share('postgres')}, Redis ${share('redis-server')}, whole machine ${share('all')} of ${availableParallelism() * 100} %; event-loop delay p50 ${delay(50)} ms, p99 ${delay(99)} ms`,
        '',
        '| step | per gateway request | p50 ms | mean ms |',
        '|---|---|---|---|',
        ...rows.sort(),
        '',
        await profiler.stop(label),
      ].join('\n');
    },
  };
}

type Query = (this: pg.Client, ...args: unknown[]) => unknown;

/** Times every statement any pg client sends (callback and promise forms), by verb and table. */
function timePostgres(add: (label: string, ms: number) => void) {
  const prototype = pg.Client.prototype as unknown as { query: Query };
  const query = prototype.query;
  prototype.query = function (...args) {
    const first = args[0];
    const text = typeof first === 'string' ? first : ((first as { text?: string })?.text ?? '');
    const verb = /\w+/.exec(text)?.[0]?.toUpperCase() ?? '?';
    const table = /\b(?:from|into|update)\s+"?([\w.]+)/i.exec(text)?.[1];
    const label = `postgres ${verb}${table ? ` ${table}` : ''}`;
    const at = performance.now();
    const done = () => add(label, performance.now() - at);
    const callback = args.at(-1);
    if (typeof callback === 'function') {
      args[args.length - 1] = (...results: unknown[]) => {
        done();
        return callback(...results);
      };
      return query.apply(this, args);
    }
    const result = query.apply(this, args);
    if (result instanceof Promise) result.then(done, () => undefined);
    return result;
  };
}

/** CPU ms so far (Linux /proc): the whole machine's busy time, and per process name. */
function machineCpu(): Map<string, number> {
  const totals = new Map<string, number>();
  const tick = 10; // USER_HZ is 100 on Linux
  try {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] =
      fields.map(Number);
    totals.set('all', (user + nice + system + irq + softirq + steal) * tick);
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const ms = (Number(rest[11]) + Number(rest[12])) * tick;
        totals.set(name, (totals.get(name) ?? 0) + ms);
      } catch {
        // The process ended meanwhile.
      }
    }
  } catch {
    // Not Linux: the figures read 0.
  }
  return totals;
}
