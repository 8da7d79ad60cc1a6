import { CAPABILITIES } from '../../../lib/catalog/capabilities.js';
import { DATA_CLASSES } from '../../../lib/policy/data-classes.js';
import { parse } from 'yaml';
import { z } from 'zod';
import type { Db } from '../../../lib/db/index.js';
import { createModelStore } from '../store/model-store.js';
import { createProviderStore } from '../store/provider-store.js';
import { createRouteStore } from '../store/route-store.js';
import { claimSeedRun } from '../store/seed-runs.js';
import { checkProvider, checkRegisterModel, checkRoute } from './validation.js';

const capability = z.enum(CAPABILITIES);
const micros = z.union([z.string(), z.number().int()]).transform((v) => BigInt(v));

const SeedFile = z.object({
  providers: z.array(
    z.object({
      id: z.string(),
      displayName: z.string(),
      kind: z.enum(['LOCAL', 'OPENAI_COMPATIBLE', 'ANTHROPIC']),
      baseUrl: z.string().optional(),
      apiKeyEnv: z.string().optional(),
    }),
  ),
  models: z.array(
    z.object({
      id: z.string(),
      providerId: z.string(),
      providerModel: z.string().optional(),
      displayName: z.string(),
      description: z.string().optional(),
      capabilities: z.array(capability),
      contextWindow: z.number().int(),
      maxOutputTokens: z.number().int().optional(),
      embeddingDimensions: z.number().int().optional(),
      maxBatchSize: z.number().int().optional(),
      tags: z.array(z.string()).optional(),
      status: z.enum(['PREVIEW', 'ACTIVE']).optional(),
      dataClassification: z.enum(DATA_CLASSES).optional(),
      price: z.object({ inputPerMillion: micros, outputPerMillion: micros }),
    }),
  ),
  routes: z
    .array(
      z.object({
        alias: z.string(),
        description: z.string().optional(),
        strategy: z.enum(['FALLBACK', 'WEIGHTED', 'LOWEST_LATENCY', 'LOWEST_COST']),
        targets: z.array(z.object({ modelId: z.string(), weight: z.number().int().optional() })),
      }),
    )
    .default([]),
});

/**
 * Applies a seed file once, on the first start: the same validation as the admin mutations, in one
 * transaction, recorded in `seed_runs` so later starts (or other replicas) skip it. Returns whether
 * it applied.
 */
export async function seedCatalog(db: Db, yamlText: string, now: Date, name = 'models.yaml') {
  const seed = SeedFile.parse(parse(yamlText));
  return db.transaction(async (tx) => {
    if (!(await claimSeedRun(tx, name))) return false;
    const providers = createProviderStore(tx);
    for (const provider of seed.providers) await providers.insert(checkProvider(provider));
    const models = createModelStore(tx);
    for (const entry of seed.models) {
      const { model, price } = checkRegisterModel(
        { ...entry, price: { ...entry.price, effectiveFrom: now } },
        now,
      );
      if (!(await models.insert(model, price)))
        throw new Error(`Seed lists model ${model.id} twice.`);
    }
    const routes = createRouteStore(tx);
    for (const route of seed.routes) {
      await routes.replace(await checkRoute(route, (ids) => models.byIds(ids)));
    }
    return true;
  });
}
