import { z } from 'zod';

const MAX_TEXT = 200;
/** A document's SHA-256, hex. */
const hash = z.string().regex(/^[0-9a-f]{64}$/);
const coordinate = z.string().min(3).max(MAX_TEXT);

/** An operation as the gateway saw it: its document's hash, its name, and what it uses. */
const UsageOperation = z.object({
  hash,
  /** '' for an anonymous operation. */
  name: z.string().max(MAX_TEXT),
  type: z.enum(['query', 'mutation', 'subscription']),
  coordinates: z.array(coordinate).max(5_000),
});

/** How often one client version ran one operation in one hour. */
const UsageCount = z.object({
  /** The hour's start, ISO-8601 UTC. */
  hour: z.iso.datetime(),
  clientName: z.string().max(100),
  clientVersion: z.string().max(100),
  hash,
  name: z.string().max(MAX_TEXT),
  count: z.number().int().positive(),
});

/**
 * What the gateway sends policy's `/internal/usage` route: counts to add, and every operation
 * those counts name with its schema coordinates.
 */
export const UsageBatch = z.object({
  operations: z.array(UsageOperation).max(1_000),
  counts: z.array(UsageCount).max(1_000),
});

export type UsageBatch = z.infer<typeof UsageBatch>;
export type UsageOperation = z.infer<typeof UsageOperation>;

/** The most counts (and operations) one batch carries. */
export const USAGE_BATCH_SIZE = 1_000;
