import type { ApolloServerPlugin } from '@apollo/server';
import { codedError, ErrorCode } from '../../lib/errors.js';
import { STREAM_ACCEPT_HINT } from './stream-protocol.js';

/**
 * A subscription that reached Apollo came without a streaming Accept header (those take the
 * gateway's own path first): say which headers to send, instead of Apollo Gateway's executor
 * error.
 */
export function createSubscriptionAcceptPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== 'subscription') return;
          throw codedError(ErrorCode.BAD_REQUEST, STREAM_ACCEPT_HINT, { http: { status: 400 } });
        },
      };
    },
  };
}
