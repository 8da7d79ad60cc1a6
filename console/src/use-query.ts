import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { useCallback, useEffect, useState } from 'react';
import { request } from './api/client';

export interface QueryState<D> {
  data: D | undefined;
  error: Error | undefined;
  loading: boolean;
  /** Runs the query again (after a mutation, or to poll). */
  refetch: () => Promise<void>;
}

/**
 * Runs a query when its variables change (unless `skip`); no cache: every screen reads fresh
 * figures.
 */
export function useQuery<D, V>(
  document: TypedDocumentNode<D, V>,
  variables: V,
  skip = false,
): QueryState<D> {
  const [state, setState] = useState<Omit<QueryState<D>, 'refetch'>>({
    data: undefined,
    error: undefined,
    loading: !skip,
  });
  const key = JSON.stringify(variables);
  const run = useCallback(
    async (signal?: AbortSignal) => {
      setState((s) => ({ ...s, loading: true }));
      try {
        const data = await request(document, JSON.parse(key) as V, signal);
        setState({ data, error: undefined, loading: false });
      } catch (error) {
        if (signal?.aborted) return;
        setState((s) => ({ ...s, error: error as Error, loading: false }));
      }
    },
    [document, key],
  );
  useEffect(() => {
    if (skip) return;
    const abort = new AbortController();
    void run(abort.signal);
    return () => abort.abort();
  }, [run, skip]);
  const refetch = useCallback(() => run(), [run]);
  return { ...state, refetch };
}
