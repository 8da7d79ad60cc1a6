import type { Cost, Limits, LimitName, RateLimitSubject } from './types.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** Period, key suffix and which cost each limit draws on. */
const DIMENSIONS: Record<
  LimitName,
  { periodMs: number; perKey: boolean; suffix: string; unit: keyof Cost }
> = {
  rpm: { periodMs: MINUTE_MS, perKey: false, suffix: 'rpm', unit: 'requests' },
  tpm: { periodMs: MINUTE_MS, perKey: false, suffix: 'tpm', unit: 'tokens' },
  tpd: { periodMs: DAY_MS, perKey: false, suffix: 'tpd', unit: 'tokens' },
  keyRpm: { periodMs: MINUTE_MS, perKey: true, suffix: 'rpm', unit: 'requests' },
  keyTpm: { periodMs: MINUTE_MS, perKey: true, suffix: 'tpm', unit: 'tokens' },
};

/** One limit as it applies to one subject: its state key and numbers. */
export interface PlannedLimit {
  name: LimitName;
  key: string;
  limit: number;
  periodMs: number;
  unit: keyof Cost;
}

// Ids go inside the hash tag; encoding keeps a stray `}` or `:` from ending the tag or the segment.
const part = (id: string) => encodeURIComponent(id);

/**
 * The team's hash tag. Every key of a team shares it, so one script can touch them all on Redis
 * Cluster (a script's keys must live on one slot).
 */
export function teamTag(teamId: string): string {
  return `{team:${part(teamId)}}`;
}

/** `rl:{team:<teamId>}:rpm`, `rl:{team:<teamId>}:key:<keyId>:tpm`, … (before the key prefix). */
export function limitKey(subject: RateLimitSubject, name: LimitName): string {
  const d = DIMENSIONS[name];
  const keyPart = d.perKey ? `key:${part(subject.keyId ?? '')}:` : '';
  return `rl:${teamTag(subject.teamId)}:${keyPart}${d.suffix}`;
}

function checkNumber(what: string, value: number) {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`rate limit: ${what} must be a finite number >= 0, got ${value}`);
  }
}

/** The limits that apply to `subject` (per-key ones only with a keyId), in a fixed order. */
export function planLimits(subject: RateLimitSubject, limits: Limits): PlannedLimit[] {
  const planned: PlannedLimit[] = [];
  for (const name of Object.keys(DIMENSIONS) as LimitName[]) {
    const limit = limits[name];
    if (limit === undefined) continue;
    checkNumber(name, limit);
    const d = DIMENSIONS[name];
    if (d.perKey && subject.keyId === undefined) continue;
    planned.push({ name, key: limitKey(subject, name), limit, periodMs: d.periodMs, unit: d.unit });
  }
  return planned;
}

/** The planned limits a request of `cost` draws on (cost 0 skips a dimension), with its cost. */
export function planReserve(
  subject: RateLimitSubject,
  limits: Limits,
  cost: Cost,
): Array<PlannedLimit & { cost: number }> {
  checkNumber('cost.requests', cost.requests);
  checkNumber('cost.tokens', cost.tokens);
  return planLimits(subject, limits)
    .map((p) => ({ ...p, cost: cost[p.unit] }))
    .filter((p) => p.cost > 0);
}

/** The token limits a settlement adjusts (a limit of 0 has nothing to give back or charge). */
export function planSettle(subject: RateLimitSubject, limits: Limits): PlannedLimit[] {
  return planLimits(subject, limits).filter((p) => p.unit === 'tokens' && p.limit > 0);
}

/** The first limit the cost exceeds outright (no wait lets it through), if any. */
export function tooLarge(planned: Array<PlannedLimit & { cost: number }>): LimitName | undefined {
  return planned.find((p) => p.cost > p.limit)?.name;
}
