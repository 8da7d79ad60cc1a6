import { useState } from 'react';

/**
 * Runs a mutation-like step and then `after` (usually a refetch), keeping the failure to show:
 * the person sees why a change was refused, and the screen re-reads what is stored.
 */
export function useAction(after?: () => Promise<void>) {
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const run = async (step: () => Promise<unknown>): Promise<boolean> => {
    setError(undefined);
    setBusy(true);
    try {
      await step();
      await after?.();
      return true;
    } catch (thrown) {
      setError(thrown as Error);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { run, error, busy };
}
