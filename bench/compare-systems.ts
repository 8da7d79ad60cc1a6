import { Agent } from 'undici';
import { DIRECT, PORTKEY } from './compare-report.js';
import { EMULATOR_KEY_ENV, seedPlatform, type Seeded } from './compare-seed.js';
import { chatSender, generateSender, type Sender } from './compare-senders.js';
import { startPortkey } from './portkey.js';
import type { SharedEmulator } from './shared-emulator.js';
import { startTopology, type StackSettings, type Topology } from './topologies.js';

/*
 * What bench:compare measures, one at a time: the emulator itself (direct), Portkey, and a version
 * of Modelgraph in a topology. Each starts, names the paths it answers and its processes (for CPU),
 * and stops.
 */
export interface RunningSystem {
  paths: Array<[string, Sender]>;
  pids: number[];
  stop(): Promise<void>;
}

export interface System {
  system: string;
  topology: string;
  start(): Promise<RunningSystem>;
}

const emulatorAuth = { authorization: `Bearer ${EMULATOR_KEY_ENV.EMU_OPENAI_KEY}` };

/** The emulator itself: what every other row's added latency is measured over. */
export function directSystem(emulator: SharedEmulator): System {
  return {
    system: DIRECT,
    topology: '',
    start: async () => ({
      paths: [
        ['chat', chatSender(`${emulator.baseUrl}/chat/completions`, emulatorAuth, 'gpt-emulated')],
      ],
      pids: [emulator.pid],
      stop: async () => undefined,
    }),
  };
}

/** Portkey's gateway in front of the emulator (its custom-host header names it). */
export function portkeySystem(emulator: SharedEmulator, timeoutMs: number): System {
  return {
    system: PORTKEY,
    topology: '',
    async start() {
      const portkey = await startPortkey(timeoutMs);
      const headers = {
        ...emulatorAuth,
        'x-portkey-provider': 'openai',
        'x-portkey-custom-host': emulator.baseUrl,
      };
      const send = chatSender(`${portkey.url}/v1/chat/completions`, headers, 'gpt-emulated');
      return { paths: [['/v1', send]], pids: [portkey.pid], stop: portkey.stop };
    },
  };
}

/**
 * One version of Modelgraph's code: its checkout's settings (one database for all its topologies)
 * and its seed, made through the first of its stacks to start and used by every later one.
 */
export interface CodeVersion {
  system: string;
  settings: () => Promise<StackSettings>;
  seed?: Seeded;
  /** Whether every path must work (HEAD's); the base is measured on those it has. */
  required: boolean;
}

/** One call through `send`; what came back when it failed. */
async function probe(send: Sender): Promise<string | undefined> {
  const dispatcher = new Agent();
  try {
    await send(dispatcher);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await dispatcher.close();
  }
}

/** The Modelgraph paths to measure (BENCH_PATHS, both by default). */
const PATHS = (process.env.BENCH_PATHS ?? '/v1,generate').split(',').map((p) => p.trim());

/** A Modelgraph platform's paths: /v1 and generate, those that answer a first call. */
async function modelgraphPaths(label: string, url: string, seeded: Seeded, required: boolean) {
  const auth = { authorization: `Bearer ${seeded.key}` };
  const candidates: Array<[string, Sender]> = [
    ['/v1', chatSender(`${url}/v1/chat/completions`, auth, seeded.modelId)],
    ['generate', generateSender(`${url}/graphql`, seeded.key, seeded.modelId)],
  ];
  const paths: Array<[string, Sender]> = [];
  for (const [path, send] of candidates.filter(([path]) => PATHS.includes(path))) {
    const problem = await probe(send);
    if (!problem) paths.push([path, send]);
    else if (required || path === 'generate') throw new Error(`${label} ${path}: ${problem}`);
    else console.log(`  ${label} has no working ${path} (${problem.slice(0, 120)}): not measured`);
  }
  return paths;
}

/** `version` in `topology`, seeded through the admin API (`adminKey`) to call the emulator. */
export function modelgraphSystem(
  version: CodeVersion,
  topology: Topology,
  adminKey: string,
  emulator: SharedEmulator,
): System {
  return {
    system: version.system,
    topology,
    async start() {
      const stack = await startTopology(topology, await version.settings());
      try {
        version.seed ??= await seedPlatform(stack.url, adminKey, emulator.baseUrl);
        const label = `${version.system} ${topology}`;
        const paths = await modelgraphPaths(label, stack.url, version.seed, version.required);
        return { paths, pids: stack.pids, stop: stack.stop };
      } catch (error) {
        await stack.stop();
        throw error;
      }
    },
  };
}
