import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import { traceLogFields } from './tracing/spans.js';

export type { Logger };

/** Paths that may carry secrets; pino replaces them before a line is written. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'apiKey',
  'secret',
  'token',
  '*.apiKey',
  '*.secret',
  '*.token',
];

export interface LoggerOptions {
  service: string;
  /** @default 'info' */
  level?: LevelWithSilent;
  /** Where lines go (tests read them). @default stdout */
  destination?: DestinationStream;
}

/**
 * One JSON logger per service; request loggers are children carrying `requestId`, and a line
 * written inside a span carries its `traceId` and `spanId`.
 */
export function createLogger({ service, level = 'info', destination }: LoggerOptions): Logger {
  const options = {
    level,
    base: { service },
    redact: { paths: REDACT, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: traceLogFields,
  };
  return destination ? pino(options, destination) : pino(options);
}
