import { pino } from 'pino';
import type { Logger } from '../../lib/logging.js';

export interface LogLine {
  level: number;
  msg: string;
  err?: { type?: string; message?: string };
  [field: string]: unknown;
}

/** A logger that keeps every line it writes, for tests that assert what was logged. */
export function createRecordingLogger(level: pino.LevelWithSilent = 'info') {
  const lines: LogLine[] = [];
  const logger: Logger = pino(
    { level, base: undefined },
    { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) },
  );
  return {
    logger,
    lines,
    /** Lines at error level (50) or above. */
    errors: () => lines.filter((line) => line.level >= 50),
  };
}
