import { z } from 'zod';
import {
  commonEnv,
  loadTracingConfig,
  optionalString,
  optionalUrl,
  parseConfig,
  pem,
  port,
  requiredPem,
} from './config.js';
import { loadSubgraphSettings } from './subgraph/subgraph-config.js';

const schema = z.object({
  ...commonEnv,
  PORT: port(4001),
  INTERNAL_PUBLIC_KEY: pem('PUBLIC KEY'),
  SERVICE_NAME: optionalString,
  UPSTREAM_URL: optionalUrl,
});

const PEM_ONE_LINE =
  '-----BEGIN PUBLIC KEY-----\\nMFkwEwYHKoZIzj0CAQ\\nYIKoZIzj0DAQcDQg==\\n-----END PUBLIC KEY-----';

describe('parseConfig', () => {
  it('applies defaults to an empty environment', () => {
    expect(parseConfig(schema, {})).toEqual({
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      MODELGRAPH_DRAIN_TIMEOUT_MS: 20_000,
      MODELGRAPH_DRAIN_DELAY_MS: 1_000,
      PORT: 4001,
    });
  });

  it('treats empty variables as unset', () => {
    const config = parseConfig(schema, {
      NODE_ENV: '',
      LOG_LEVEL: '',
      PORT: '',
      DATABASE_URL: '',
      INTERNAL_PUBLIC_KEY: '',
      SERVICE_NAME: '',
    });
    expect(config).toMatchObject({ NODE_ENV: 'development', LOG_LEVEL: 'info', PORT: 4001 });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.INTERNAL_PUBLIC_KEY).toBeUndefined();
    expect(config.SERVICE_NAME).toBeUndefined();
  });

  it('parses and types the values it was given', () => {
    const config = parseConfig(schema, {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      PORT: '8080',
      DATABASE_URL: 'postgres://db:5432/app',
      REDIS_URL: 'redis://cache:6379',
      SERVICE_NAME: 'wallet',
      MODELGRAPH_DRAIN_TIMEOUT_MS: '30000',
      MODELGRAPH_DRAIN_DELAY_MS: '',
      UNRELATED: 'ignored',
    });
    expect(config).toEqual({
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      MODELGRAPH_DRAIN_TIMEOUT_MS: 30_000,
      MODELGRAPH_DRAIN_DELAY_MS: 1_000,
      PORT: 8080,
      DATABASE_URL: 'postgres://db:5432/app',
      REDIS_URL: 'redis://cache:6379',
      SERVICE_NAME: 'wallet',
    });
  });

  it('lists every bad variable at once', () => {
    const parse = () =>
      parseConfig(schema, {
        NODE_ENV: 'staging',
        LOG_LEVEL: 'loud',
        PORT: '70000',
        DATABASE_URL: 'not a url',
        INTERNAL_PUBLIC_KEY: 'just text',
      });
    expect(parse).toThrow(/^Invalid configuration:\n/);
    let message = '';
    try {
      parse();
    } catch (error) {
      message = (error as Error).message;
    }
    const lines = message.split('\n').slice(1);
    expect(lines.map((line) => line.trim().split(':')[0])).toEqual([
      'NODE_ENV',
      'LOG_LEVEL',
      'DATABASE_URL',
      'PORT',
      'INTERNAL_PUBLIC_KEY',
    ]);
    expect(message).toContain('INTERNAL_PUBLIC_KEY: must be a PEM PUBLIC KEY');
  });

  it('refuses a port that is not a whole number in range', () => {
    for (const bad of ['-1', '65536', '80.5', 'http']) {
      expect(() => parseConfig(schema, { PORT: bad })).toThrow(/PORT/);
    }
    expect(parseConfig(schema, { PORT: '0' }).PORT).toBe(0);
  });
});

describe('pem', () => {
  it('turns literal \\n sequences from a one-line env file into newlines', () => {
    const { INTERNAL_PUBLIC_KEY } = parseConfig(schema, { INTERNAL_PUBLIC_KEY: PEM_ONE_LINE });
    expect(INTERNAL_PUBLIC_KEY).toBe(
      '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQ\nYIKoZIzj0DAQcDQg==\n-----END PUBLIC KEY-----',
    );
    expect(INTERNAL_PUBLIC_KEY).not.toContain('\\n');
  });

  it('leaves a PEM with real newlines as it is', () => {
    const real = PEM_ONE_LINE.replaceAll('\\n', '\n');
    expect(parseConfig(schema, { INTERNAL_PUBLIC_KEY: real }).INTERNAL_PUBLIC_KEY).toBe(real);
  });

  it('refuses a PEM of another kind', () => {
    const privateKey = PEM_ONE_LINE.replaceAll('PUBLIC KEY', 'PRIVATE KEY');
    expect(() => parseConfig(schema, { INTERNAL_PUBLIC_KEY: privateKey })).toThrow(
      /INTERNAL_PUBLIC_KEY: must be a PEM PUBLIC KEY/,
    );
  });

  it('refuses to start without a required PEM, empty or absent, saying what it is for', () => {
    const required = z.object({ KEY: requiredPem('PUBLIC KEY', 'the signing key') });
    for (const env of [{}, { KEY: '' }]) {
      expect(() => parseConfig(required, env)).toThrow(/KEY: required: the signing key/);
    }
    expect(() => parseConfig(required, { KEY: 'text' })).toThrow(/must be a PEM PUBLIC KEY/);
    const real = PEM_ONE_LINE.replaceAll('\\n', '\n');
    expect(parseConfig(required, { KEY: PEM_ONE_LINE }).KEY).toBe(real);
  });

  it('refuses to start a subgraph without the public key', () => {
    expect(() => loadSubgraphSettings('catalog', 4001, {})).toThrow(
      /MODELGRAPH_INTERNAL_PUBLIC_KEY: required/,
    );
  });
});

describe('tracing configuration (OTEL_*)', () => {
  it('is off unless an OTLP endpoint is set', () => {
    expect(loadTracingConfig('gateway', {})).toEqual({
      tracesUrl: undefined,
      serviceName: 'gateway',
      sampler: 'parentbased_always_on',
      samplerRatio: 1,
    });
  });

  it('sends to the endpoint’s /v1/traces, or to the traces endpoint as it is', () => {
    const base = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' };
    expect(loadTracingConfig('wallet', base).tracesUrl).toBe('http://collector:4318/v1/traces');
    const both = { ...base, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/otlp' };
    expect(loadTracingConfig('wallet', both).tracesUrl).toBe('http://tempo:4318/otlp');
    expect(loadTracingConfig('wallet', { ...base, OTEL_SDK_DISABLED: 'true' }).tracesUrl).toBe(
      undefined,
    );
    expect(loadTracingConfig('wallet', { ...base, OTEL_TRACES_EXPORTER: 'none' }).tracesUrl).toBe(
      undefined,
    );
  });

  it('takes the service name and sampler from the standard variables, and refuses bad ones', () => {
    const config = loadTracingConfig('policy', {
      OTEL_SERVICE_NAME: 'policy-eu',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
    });
    expect(config).toMatchObject({
      serviceName: 'policy-eu',
      sampler: 'parentbased_traceidratio',
      samplerRatio: 0.1,
    });
    expect(() => loadTracingConfig('policy', { OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(
      /OTEL_TRACES_SAMPLER/,
    );
    expect(() => loadTracingConfig('policy', { OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(
      /OTEL_TRACES_SAMPLER_ARG/,
    );
  });
});
