import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { isPublicCode } from '../errors.js';
import type { Logger } from '../logging.js';
import { createOperationLabeler, type ServiceMetrics } from '../metrics.js';

/**
 * Times every operation into `operationDuration` (labelled by a bounded operation name) and logs
 * unexpected errors in full, stack included, since responses in production carry neither.
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
          const log = contextValue.logger ?? logger;
          for (const error of errors) {
            const code = String(error.extensions?.code ?? '');
            if (isPublicCode(code)) continue;
            log.error(
              { err: error.originalError ?? error, operationName, path: error.path, code },
              'operation error',
            );
          }
        },
        async willSendResponse({ response, operationName }) {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const failed =
            response.body.kind === 'single' && (response.body.singleResult.errors?.length ?? 0) > 0;
          metrics.operationDuration.observe(
            { operation: label(operationName), outcome: failed ? 'error' : 'ok' },
            seconds,
          );
        },
      };
    },
  };
}
