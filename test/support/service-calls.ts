import { Agent, type Dispatcher } from 'undici';
import type { LocalRoutes } from '../../lib/http/local-routes.js';

/** One call a service made through the platform's service client (or in process, any call). */
export interface ServiceCall {
  /** The path called, e.g. `/internal/authenticate-key`. */
  path: string;
  headers: Record<string, string>;
}

/** What a test does around the calls: see each go out, and act once it is answered. */
export interface ServiceCallWatcher {
  onRequest?(call: ServiceCall): void;
  /** Runs after the callee answered and before the caller reads the answer (to stage races). */
  afterAnswer?(call: ServiceCall): Promise<void>;
}

type Method = (...args: unknown[]) => unknown;
type Handler = Record<string, Method | undefined>;

const HANDLER_METHODS = [
  'onConnect',
  'onHeaders',
  'onData',
  'onComplete',
  'onError',
  'onUpgrade',
  'onResponseStarted',
  'onBodySent',
  'onRequestSent',
] as const;

/**
 * A dispatcher for a service client (lib/service-client.ts) that lets tests watch and delay its
 * calls: `watch()` returns the function that stops watching. Calls go out on a keep-alive Agent.
 * `localRoutes()` watches the calls a caller makes in process (lib/http/local-routes.ts) the
 * same way.
 */
export function createWatchedDispatcher() {
  const agent = new Agent({ keepAliveTimeout: 30_000 });
  const watchers = new Set<ServiceCallWatcher>();

  const dispatch = (options: Dispatcher.DispatchOptions, handler: Handler): boolean => {
    const forward = (h: Handler) => agent.dispatch(options, h as Dispatcher.DispatchHandler);
    const call: ServiceCall = {
      path: String(options.path),
      headers: { ...(options.headers as Record<string, string> | undefined) },
    };
    const current = [...watchers];
    for (const watcher of current) watcher.onRequest?.(call);
    const after = current.flatMap((w) => (w.afterAnswer ? [w.afterAnswer.bind(w)] : []));
    if (after.length === 0) return forward(handler);
    // The caller's handler (undici's own, which keeps its state on itself), each method called on
    // it, with the end of the answer held back until every watcher is done.
    const delayed: Handler = {};
    for (const name of HANDLER_METHODS) {
      const method = handler[name];
      if (method) delayed[name] = method.bind(handler);
    }
    delayed.onComplete = (...args: unknown[]) => {
      void Promise.allSettled(after.map((fn) => fn(call))).then(() =>
        handler.onComplete?.call(handler, ...args),
      );
    };
    return forward(delayed);
  };

  /** `routes` as one caller sees them: its calls answered in process are watched too. */
  const localRoutes = (routes: LocalRoutes): LocalRoutes => ({
    register: (origin, service) => routes.register(origin, service),
    call(url, request, signal) {
      const answer = routes.call(url, request, signal);
      if (!answer) return undefined;
      const call: ServiceCall = { path: new URL(url).pathname, headers: { ...request.headers } };
      const current = [...watchers];
      for (const watcher of current) watcher.onRequest?.(call);
      return answer.then(async (response) => {
        await Promise.allSettled(current.map((w) => w.afterAnswer?.(call)));
        return response;
      });
    },
  });

  return {
    dispatcher: { dispatch, close: () => agent.close() } as unknown as Dispatcher,
    localRoutes,
    watch(watcher: ServiceCallWatcher): () => void {
      watchers.add(watcher);
      return () => watchers.delete(watcher);
    },
    close: () => agent.close(),
  };
}

export type WatchedDispatcher = ReturnType<typeof createWatchedDispatcher>;
