import { z } from 'zod';
import { optionalSecret, optionalUrl, parseConfig } from '../../lib/config.js';

const SchemaCheckEnv = z
  .object({
    SCHEMA_CHECK_URL: optionalUrl,
    SCHEMA_CHECK_ADMIN_KEY: optionalSecret(1),
    SCHEMA_CHECK_WINDOW_DAYS: z.coerce.number().int().min(1).max(90).default(14),
  })
  .superRefine((env, ctx) => {
    if (env.SCHEMA_CHECK_URL && !env.SCHEMA_CHECK_ADMIN_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['SCHEMA_CHECK_ADMIN_KEY'],
        message: "required with SCHEMA_CHECK_URL: an organization admin's key on that platform",
      });
    }
  });

/** `npm run schema:check`'s settings: where usage comes from, and how far back it counts. */
export function loadSchemaCheckConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseConfig(SchemaCheckEnv, env);
  return {
    usage: e.SCHEMA_CHECK_URL
      ? { url: e.SCHEMA_CHECK_URL, adminKey: e.SCHEMA_CHECK_ADMIN_KEY as string }
      : undefined,
    windowDays: e.SCHEMA_CHECK_WINDOW_DAYS,
  };
}
