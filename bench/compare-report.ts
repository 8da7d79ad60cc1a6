/*
 * bench:compare's report: one markdown table of every measured row (medians over the rounds), and
 * the issue 12 aims read from it: ours against Portkey, HEAD against the base, and which topology
 * did best.
 */

/** One timed row of one round. */
export interface Sample {
  /** Successful calls per second (for Modelgraph: paid calls). */
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU milliseconds the system's processes used per successful call; undefined off Linux. */
  cpuMsPerCall: number | undefined;
}

/** What a row measures: `system` is direct, Portkey OSS, HEAD or base <commit>. */
export interface RowKey {
  system: string;
  topology: string;
  path: string;
  clients: number;
}

export const DIRECT = 'direct';
export const PORTKEY = 'Portkey OSS';
export const HEAD = 'HEAD';

/** The clients the aims speak of. */
const FEW = 1;
const MANY = 16;
const AIMED_RATIO = 4;

export interface Row extends RowKey {
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
  cpuMsPerCall: number | undefined;
  /** p50 and p99 over the emulator's own, at the same clients (undefined for direct). */
  addedP50: number | undefined;
  addedP99: number | undefined;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Rows from every round's samples: medians, errors summed, added latency over direct. */
export function summarizeRows(samples: Array<[RowKey, Sample[]]>): Row[] {
  const rows = samples.map(([key, runs]) => {
    const cpu = runs.map((r) => r.cpuMsPerCall);
    return {
      ...key,
      perSecond: median(runs.map((r) => r.perSecond)),
      p50: median(runs.map((r) => r.p50)),
      p99: median(runs.map((r) => r.p99)),
      errors: runs.reduce((sum, r) => sum + r.errors, 0),
      cpuMsPerCall: cpu.every((c) => c !== undefined) ? median(cpu as number[]) : undefined,
    };
  });
  return rows.map((row) => {
    const direct = rows.find((r) => r.system === DIRECT && r.clients === row.clients);
    const over = row.system !== DIRECT && direct;
    return {
      ...row,
      addedP50: over ? row.p50 - direct.p50 : undefined,
      addedP99: over ? row.p99 - direct.p99 : undefined,
    };
  });
}

const fixed = (value: number | undefined, digits = 1) =>
  value === undefined ? '' : value.toFixed(digits);
const whole = (value: number) => Math.round(value).toLocaleString('en-US');

/** The table of every row, by clients, then system, topology and path as measured. */
export function resultsTable(rows: Row[]): string {
  const lines = [
    '| clients | system | topology | path | calls/s | p50 ms | p99 ms | added p50 | added p99 | errors | CPU ms/call |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const ordered = [...rows].sort((a, b) => a.clients - b.clients);
  for (const r of ordered) {
    lines.push(
      `| ${r.clients} | ${r.system} | ${r.topology} | ${r.path} | ${whole(r.perSecond)} | ${fixed(r.p50)} | ${fixed(r.p99)} | ${fixed(r.addedP50)} | ${fixed(r.addedP99)} | ${r.errors} | ${r.cpuMsPerCall === undefined ? 'n/a' : fixed(r.cpuMsPerCall, 2)} |`,
    );
  }
  return lines.join('\n');
}

const yes = (met: boolean) => (met ? 'yes' : 'no');

/** Ours at 1 and 16 clients against Portkey's added p50 and calls/s. */
function againstPortkey(rows: Row[], find: (k: Partial<RowKey>) => Row | undefined): string[] {
  const peer = (clients: number) => find({ system: PORTKEY, clients });
  const [peerFew, peerMany] = [peer(FEW), peer(MANY)];
  if (!peerFew || !peerMany) return [`Against Portkey: needs ${FEW} and ${MANY} clients measured.`];
  const lines = [
    `Ours against Portkey OSS: added p50 at ${FEW} and ${MANY} clients at most Portkey's (${fixed(peerFew.addedP50)} and ${fixed(peerMany.addedP50)} ms), paid calls/s at ${MANY} at least Portkey's (${whole(peerMany.perSecond)}).`,
    '',
    `| topology | path | added p50 @${FEW} | added p50 @${MANY} | calls/s @${MANY} | met |`,
    '|---|---|---|---|---|---|',
  ];
  for (const few of rows.filter((r) => r.system === HEAD && r.clients === FEW)) {
    const many = find({ system: HEAD, topology: few.topology, path: few.path, clients: MANY });
    if (!many) continue;
    const met =
      few.addedP50! <= peerFew.addedP50! &&
      many.addedP50! <= peerMany.addedP50! &&
      many.perSecond >= peerMany.perSecond;
    lines.push(
      `| ${few.topology} | ${few.path} | ${fixed(few.addedP50)} | ${fixed(many.addedP50)} | ${whole(many.perSecond)} | ${yes(met)} |`,
    );
  }
  return lines;
}

/** HEAD against the base: added p50 at 1 client down 4×, paid calls/s at 16 up 4×. */
function againstBase(rows: Row[], find: (k: Partial<RowKey>) => Row | undefined): string[] {
  const base = rows.find((r) => r.system !== HEAD && r.system !== DIRECT && r.system !== PORTKEY);
  if (!base) return ['Against the base: not measured (BENCH_BASE=none).'];
  const lines = [
    `HEAD against ${base.system}: added p50 at ${FEW} client down at least ${AIMED_RATIO}× (base ÷ HEAD), paid calls/s at ${MANY} up at least ${AIMED_RATIO}× (HEAD ÷ base). The base's /v1 is compared when it has one, its generate otherwise.`,
    '',
    `| topology | path | against base | added p50 @${FEW} ratio | calls/s @${MANY} ratio | met |`,
    '|---|---|---|---|---|---|',
  ];
  for (const few of rows.filter((r) => r.system === HEAD && r.clients === FEW)) {
    const basePath = find({ system: base.system, path: few.path }) ? few.path : 'generate';
    const baseFew = find({ system: base.system, path: basePath, clients: FEW });
    const baseMany = find({ system: base.system, path: basePath, clients: MANY });
    const many = find({ system: HEAD, topology: few.topology, path: few.path, clients: MANY });
    if (!baseFew || !baseMany || !many) continue;
    const latency = few.addedP50! > 0 ? baseFew.addedP50! / few.addedP50! : Infinity;
    const throughput = many.perSecond / baseMany.perSecond;
    lines.push(
      `| ${few.topology} | ${few.path} | ${basePath} | ${fixed(latency, 2)}× | ${fixed(throughput, 2)}× | ${yes(latency >= AIMED_RATIO && throughput >= AIMED_RATIO)} |`,
    );
  }
  return lines;
}

/** Which topology did best on each measure, per path. */
function bestTopologies(rows: Row[]): string[] {
  const lines: string[] = ['Topologies (HEAD), best on each measure:'];
  const paths = [...new Set(rows.filter((r) => r.system === HEAD).map((r) => r.path))];
  const best = (candidates: Row[], score: (r: Row) => number | undefined, most: boolean) => {
    const scored = candidates.filter((r) => score(r) !== undefined);
    scored.sort((a, b) => (most ? score(b)! - score(a)! : score(a)! - score(b)!));
    return scored.map((r) => `${r.topology} ${fixed(score(r), 2)}`).join(', ');
  };
  for (const path of paths) {
    const at = (clients: number) =>
      rows.filter((r) => r.system === HEAD && r.path === path && r.clients === clients);
    lines.push(
      `- ${path}: calls/s at ${MANY}: ${best(at(MANY), (r) => r.perSecond, true) || 'n/a'}`,
      `- ${path}: added p50 at ${FEW} (ms): ${best(at(FEW), (r) => r.addedP50, false) || 'n/a'}`,
      `- ${path}: CPU ms per call at ${MANY}: ${best(at(MANY), (r) => r.cpuMsPerCall, false) || 'n/a'}`,
    );
  }
  return lines;
}

/** The aims of issue 12, read from the rows. */
export function aimsSummary(rows: Row[]): string {
  const find = (key: Partial<RowKey>) =>
    rows.find((r) =>
      (Object.keys(key) as Array<keyof RowKey>).every((field) => r[field] === key[field]),
    );
  return [
    ...againstPortkey(rows, find),
    '',
    ...againstBase(rows, find),
    '',
    ...bestTopologies(rows),
  ].join('\n');
}
