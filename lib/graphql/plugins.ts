import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { isPublicCode } from '../errors.js';
import type { Logger } from '../logging.js';
import { createOperationLabeler, type ServiceMetrics } from '../metrics.js';

/** Codes that say we failed the caller (the availability SLI counts them), not the caller us. */
const FAULT_CODES = new Set(['INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE']);

/**
 * The `outcome` label of an operation: `ok`; `error` when it answered only expected outcomes
 * (bad input, no access, no funds, rate limited...); `fault` when any error is ours.
 */
export function outcomeOf(
  errors: ReadonlyArray<{ extensions?: Record<string, unknown> }> | undefined,
) {
  if (!errors?.length) return 'ok';
  const codes = errors.map((e) => String(e.extensions?.code ?? ''));
  return codes.some((code) => FAULT_CODES.has(code) || !isPublicCode(code)) ? 'fault' : 'error';
}

/** Logs, stack included, the errors of an operation whose code is not one we answer callers. */
export function logUnexpectedErrors(
  log: Logger,
  errors: ReadonlyArray<{
    extensions?: Record<string, unknown>;
    path?: ReadonlyArray<string | number>;
    originalError?: Error;
  }>,
  operationName: string | null | undefined,
) {
  for (const error of errors) {
    const code = String(error.extensions?.code ?? '');
    if (isPublicCode(code)) continue;
    log.error(
      { err: error.originalError ?? error, operationName, path: error.path, code },
      'operation error',
    );
  }
}

/**
 * Times every operation into `operationDuration` (labelled by a bounded operation name and its
 * outcome) and logs unexpected errors in full, stack included, since responses in production
 * carry neither.
 */
export function createObservabilityPlugin(
  metrics: ServiceMetrics,
  logger: Logger,
): ApolloServerPlugin<BaseContext & { logger?: Logger }> {
  const label = createOperationLabeler();
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async didEncounterErrors({ errors, contextValue, operationName }) {
          logUnexpectedErrors(contextValue.logger ?? logger, errors, operationName);
        },
        async willSendResponse({ response, operationName }) {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const errors =
            response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          metrics.operationDuration.observe(
            { operation: label(operationName), outcome: outcomeOf(errors) },
            seconds,
          );
        },
      };
    },
  };
}
