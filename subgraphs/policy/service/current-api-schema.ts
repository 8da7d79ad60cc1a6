import { readFileSync, statSync } from 'node:fs';
import { Supergraph } from '@apollo/federation-internals';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from '../../../lib/logging.js';

/**
 * The API schema of the supergraph file the gateway serves (SUPERGRAPH_PATH), read again whenever
 * the file changes: what clients can run today. Checked on each call (a stat), so no timer runs;
 * a file that cannot be read or built is logged and the last good schema kept.
 */
export function currentApiSchema(path: string, logger: Logger): () => GraphQLSchema {
  let loaded: { stamp: string; schema: GraphQLSchema } | undefined;
  return () => {
    let stamp: string;
    try {
      const stat = statSync(path);
      stamp = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    } catch (error) {
      if (loaded) {
        logger.warn({ err: error, path }, 'supergraph file unreadable; keeping the current schema');
        return loaded.schema;
      }
      throw error;
    }
    if (loaded?.stamp === stamp) return loaded.schema;
    try {
      const sdl = readFileSync(path, 'utf8');
      const schema = Supergraph.build(sdl).apiSchema().toGraphQLJSSchema();
      loaded = { stamp, schema };
      logger.info({ path }, 'supergraph loaded for document checks');
    } catch (error) {
      if (!loaded) throw error;
      logger.error({ err: error, path }, 'new supergraph rejected; keeping the current schema');
    }
    return loaded.schema;
  };
}
