import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `probe` until it returns something other than undefined, failing after `timeoutMs` with
 * `what` and the last error the probe threw. Tests wait for conditions, never for fixed times.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs: number; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError ? `; last error: ${(lastError as Error).message}` : '';
      throw new Error(`${what}: not met within ${options.timeoutMs} ms${cause}`);
    }
    await sleep(options.intervalMs ?? 100);
  }
}

/**
 * Waits until the wall clock is past `time` (ms since the epoch). For expiry tests only, where the
 * condition is the time itself; overshooting is harmless.
 */
export async function clockPasses(time: number): Promise<void> {
  const left = time - Date.now();
  if (left > 0) await sleep(left);
}
