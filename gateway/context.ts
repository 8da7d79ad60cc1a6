import type { Principal } from '../lib/auth/principal.js';
import type { Logger } from '../lib/logging.js';

/** What the gateway knows about one request while planning and fetching. */
export interface GatewayContext {
  principal: Principal;
  requestId: string;
  logger: Logger;
  /** The internal token for this request, signed once and reused for every subgraph fetch. */
  internalToken(): Promise<string>;
  /** The operation's bounded metric label, set once the operation is resolved. */
  operationLabel: string;
}
