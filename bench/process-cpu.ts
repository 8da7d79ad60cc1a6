import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/*
 * CPU time of processes the benchmark started, read from /proc/<pid>/stat (user + system, every
 * thread of the process), so that a platform of many processes (services, clusters) and one that
 * was never written to answer over IPC (the base commit's) are measured the same way.
 * Linux only: elsewhere every reading is undefined and the report says n/a.
 */

const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function cpuTicks(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name may hold spaces and parentheses: fields are counted after its last ')'.
  // What follows starts at field 3 (state); utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** The CPU seconds `pids` have used so far; undefined when any of them cannot be read. */
export function cpuSeconds(pids: number[]): number | undefined {
  let ticks = 0;
  for (const pid of pids) {
    const used = cpuTicks(pid);
    if (used === undefined) return undefined;
    ticks += used;
  }
  return ticks / ticksPerSecond;
}
