import { writeFile } from 'node:fs/promises';
import { Session, type Profiler } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * A CPU profile of the platform process while a traced row runs (node:inspector, sampled every
 * 200 µs), written to the temp directory for DevTools and summarised as self time per package (a
 * dependency under node_modules, a folder of ours, or Node itself) and per function.
 */

const post = <T>(session: Session, method: string, params?: object) =>
  new Promise<T>((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result as T))),
  );

const ROOT = new URL('..', import.meta.url).href;

/** Where a sampled function lives: `graphql`, `@apollo/gateway`, `subgraphs/wallet`, `node`… */
function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : 'node (native)';
  if (url.startsWith('node:')) return 'node (internals)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const [scope, name] = url.slice(modules + '/node_modules/'.length).split('/');
    return scope?.startsWith('@') ? `${scope}/${name}` : (scope ?? url);
  }
  if (url.startsWith(ROOT)) return url.slice(ROOT.length).split('/').slice(0, 2).join('/');
  return url;
}

export function createCpuProfiler() {
  const session = new Session();
  session.connect();
  return {
    async start() {
      await post(session, 'Profiler.enable');
      await post(session, 'Profiler.setSamplingInterval', { interval: 200 });
      await post(session, 'Profiler.start');
    },
    async stop(label: string): Promise<string> {
      const { profile } = await post<{ profile: Profiler.Profile }>(session, 'Profiler.stop');
      const file = join(tmpdir(), `bench-inference-${label}-${Date.now()}.cpuprofile`);
      await writeFile(file, JSON.stringify(profile));
      const deltas = profile.timeDeltas ?? [];
      const selfMs = new Map<number, number>();
      (profile.samples ?? []).forEach((id, i) =>
        selfMs.set(id, (selfMs.get(id) ?? 0) + (deltas[i] ?? 0) / 1000),
      );
      const byPackage = new Map<string, number>();
      const byFunction = new Map<string, number>();
      let busy = 0;
      for (const node of profile.nodes) {
        const ms = selfMs.get(node.id) ?? 0;
        const { url, functionName, lineNumber } = node.callFrame;
        const where = packageOf(url, functionName);
        if (where === '(idle)') continue;
        busy += ms;
        byPackage.set(where, (byPackage.get(where) ?? 0) + ms);
        const name = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
        byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
      }
      const top = (map: Map<string, number>, n: number) =>
        [...map.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, n)
          .map(
            ([name, ms]) => `| ${name} | ${ms.toFixed(0)} | ${((100 * ms) / busy).toFixed(1)} % |`,
          );
      return [
        `CPU profile: ${file} (${busy.toFixed(0)} ms busy)`,
        '',
        '| package (self time) | ms | share |',
        '|---|---|---|',
        ...top(byPackage, 20),
        '',
        '| function (self time) | ms | share |',
        '|---|---|---|',
        ...top(byFunction, 25),
      ].join('\n');
    },
  };
}
