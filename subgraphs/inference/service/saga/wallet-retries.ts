import { retryUnavailable } from '../../../../lib/service-client.js';
import { WALLET_RETRY_DELAYS_MS } from '../timing.js';

const walletRetries = retryUnavailable(WALLET_RETRY_DELAYS_MS);

/** Retries a wallet call that failed for transport reasons; business refusals come back at once. */
export const withWalletRetries = <T>(fn: () => Promise<T>): Promise<T> => walletRetries.execute(fn);
