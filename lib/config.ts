import { z } from 'zod';

/**
 * Parses `env` with a service's zod schema and fails fast with every bad variable listed at once.
 * Only config modules call this; everything else receives typed config.
 */
export function parseConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`,
  );
  throw new Error(`Invalid configuration:\n${problems.join('\n')}`);
}

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);

/** An optional string variable where an empty value means unset. */
export const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());
export const optionalUrl = z.preprocess(emptyAsUndefined, z.url().optional());

export const port = (fallback: number) =>
  z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(fallback));

/** A yes/no variable: `true`/`1` or `false`/`0`; empty or unset means `fallback`. */
export const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', ''])
    .default(fallback ? 'true' : 'false')
    .transform((v) => (v === '' ? fallback : v === 'true' || v === '1'));

/** An optional secret of at least `min` characters (the bootstrap admin key). */
export const optionalSecret = (min: number) =>
  z.preprocess(
    emptyAsUndefined,
    z.string().min(min, `must be at least ${min} characters`).optional(),
  );

/** A duration in milliseconds, 0 or more; empty or unset means `fallback`. */
const milliseconds = (fallback: number) =>
  z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).default(fallback));

/** Variables every service reads. */
export const commonEnv = {
  NODE_ENV: z.preprocess(
    emptyAsUndefined,
    z.enum(['development', 'production', 'test']).default('development'),
  ),
  LOG_LEVEL: z.preprocess(
    emptyAsUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  DATABASE_URL: optionalUrl,
  REDIS_URL: optionalUrl,
  /** Where embedded PGlite keeps data; in memory when unset. */
  MODELGRAPH_DATA_DIR: optionalString,
  /** SIGTERM to exit, at most (lib/http/drain.ts). */
  MODELGRAPH_DRAIN_TIMEOUT_MS: milliseconds(20_000),
  /** After SIGTERM, how long the service keeps serving (not ready, `connection: close`). */
  MODELGRAPH_DRAIN_DELAY_MS: milliseconds(1_000),
};

/** How a service stops on SIGTERM (lib/http/drain.ts), from the variables in `commonEnv`. */
export function drainSettings(e: {
  MODELGRAPH_DRAIN_TIMEOUT_MS: number;
  MODELGRAPH_DRAIN_DELAY_MS: number;
}) {
  return { timeoutMs: e.MODELGRAPH_DRAIN_TIMEOUT_MS, delayMs: e.MODELGRAPH_DRAIN_DELAY_MS };
}

/**
 * Whether services started in one process call each other without a socket
 * (lib/http/local-routes.ts): read by `npm start` and the test stack (so benchmarks too); `false`
 * sends every call over HTTP.
 */
export const inProcessCallsEnv = { MODELGRAPH_IN_PROCESS_CALLS: flag(true) };

export function loadInProcessCalls(env: NodeJS.ProcessEnv): boolean {
  return parseConfig(z.object(inProcessCallsEnv), env).MODELGRAPH_IN_PROCESS_CALLS;
}

/** PEM text may arrive with literal `\n` (one-line env files); turn those back into newlines. */
const pemText = (value: unknown) =>
  typeof value === 'string' && value !== '' ? value.replace(/\\n/g, '\n') : undefined;
const isPem = (label: string) => (text: string) => text.includes(`BEGIN ${label}`);

/** An optional PEM variable. */
export const pem = (label: string) =>
  z.preprocess(pemText, z.string().refine(isPem(label), `must be a PEM ${label}`).optional());

/** A PEM variable the service cannot start without; `why` says what it is for. */
export const requiredPem = (label: string, why: string) =>
  z.preprocess(
    pemText,
    z.string({ error: `required: ${why}` }).refine(isPem(label), `must be a PEM ${label}`),
  );

/** The sampler names of the OpenTelemetry specification that `OTEL_TRACES_SAMPLER` accepts. */
const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

/**
 * OpenTelemetry's standard variables, the ones we honour. Tracing is off unless an OTLP endpoint
 * is set (and OTEL_SDK_DISABLED is not true): a process that exports nowhere records nothing.
 */
export const tracingEnv = {
  OTEL_SDK_DISABLED: flag(false),
  OTEL_TRACES_EXPORTER: z.preprocess(emptyAsUndefined, z.enum(['otlp', 'none']).default('otlp')),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl,
  OTEL_SERVICE_NAME: optionalString,
  OTEL_TRACES_SAMPLER: z.preprocess(
    emptyAsUndefined,
    z.enum(SAMPLERS).default('parentbased_always_on'),
  ),
  OTEL_TRACES_SAMPLER_ARG: z.preprocess(
    emptyAsUndefined,
    z.coerce.number().min(0).max(1).default(1),
  ),
};

export interface TracingConfig {
  /** Where spans go (OTLP over HTTP); undefined when tracing is off. */
  tracesUrl: string | undefined;
  serviceName: string;
  sampler: (typeof SAMPLERS)[number];
  /** The ratio of the `traceidratio` samplers. */
  samplerRatio: number;
}

/**
 * Tracing's settings; `service` names the process when OTEL_SERVICE_NAME does not. The general
 * endpoint gets the signal's path (`/v1/traces`); the traces endpoint is used as it is.
 */
export function loadTracingConfig(
  service: string,
  env: NodeJS.ProcessEnv = process.env,
): TracingConfig {
  const vars = parseConfig(z.object(tracingEnv), env);
  const off = vars.OTEL_SDK_DISABLED || vars.OTEL_TRACES_EXPORTER === 'none';
  const base = vars.OTEL_EXPORTER_OTLP_ENDPOINT;
  const tracesUrl =
    vars.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined);
  return {
    tracesUrl: off ? undefined : tracesUrl,
    serviceName: vars.OTEL_SERVICE_NAME ?? service,
    sampler: vars.OTEL_TRACES_SAMPLER,
    samplerRatio: vars.OTEL_TRACES_SAMPLER_ARG,
  };
}
