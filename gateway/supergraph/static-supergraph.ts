import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { SupergraphManager } from '@apollo/gateway';
import type { Logger } from '../../lib/logging.js';

/** @default 1000 */
const POLL_MS = 1000;

/**
 * Serves the committed supergraph file and swaps in a new one when the file changes. Polling (not
 * fs.watch) survives editors that replace the file and Kubernetes ConfigMap symlink swaps. A file
 * that does not compose is logged and ignored: the gateway keeps serving the last good schema.
 */
export function staticSupergraph(
  path: string,
  logger: Logger,
  pollMs = POLL_MS,
): SupergraphManager {
  return {
    async initialize({ update }) {
      let current = readFileSync(path, 'utf8');
      const onChange = () => {
        let next: string;
        try {
          next = readFileSync(path, 'utf8');
        } catch (error) {
          logger.warn(
            { err: error, path },
            'supergraph file unreadable; keeping the current schema',
          );
          return;
        }
        if (next === current) return;
        try {
          update(next);
          current = next;
          logger.info({ path }, 'supergraph reloaded');
        } catch (error) {
          logger.error({ err: error, path }, 'new supergraph rejected; keeping the current schema');
        }
      };
      watchFile(path, { interval: pollMs, persistent: false }, onChange);
      return {
        supergraphSdl: current,
        cleanup: async () => unwatchFile(path, onChange),
      };
    },
  };
}
