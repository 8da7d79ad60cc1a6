import type { Command, Redis } from 'ioredis';
import { SpanKind, failSpan, inRecordedSpan, startSpan } from './spans.js';

/**
 * Gives every command `redis` sends inside a request's span a client span of its own (OpenTelemetry
 * database conventions: the command's name, never its keys or values). ioredis' `sendCommand` is
 * the one path every command takes, scripts (EVALSHA) included; the command's own promise ends the
 * span, and the caller still gets ioredis' answer, untouched.
 */
export function traceRedisCommands<R extends Redis>(redis: R): R {
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (command: Command, stream?: Parameters<Redis['sendCommand']>[1]) => {
    // Outside a request (a sweeper's tick, a reconnect's handshake) a command starts no trace.
    if (!inRecordedSpan()) return send(command, stream);
    const operation = command.name.toUpperCase();
    const span = startSpan(operation, {
      kind: SpanKind.CLIENT,
      attributes: { 'db.system.name': 'redis', 'db.operation.name': operation },
    });
    const answer = send(command, stream);
    command.promise.then(
      () => span.end(),
      (error: unknown) => {
        failSpan(span, error);
        span.end();
      },
    );
    return answer;
  };
  return redis;
}
