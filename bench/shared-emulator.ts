import { spawn } from 'node:child_process';
import type { EmulatorCommand, EmulatorReply } from './emulator-process.js';

export interface SharedEmulator {
  /** The OpenAI base URL (`.../v1`). */
  baseUrl: string;
  pid: number;
  /** The requests it answered since the last count. */
  count(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts bench/emulator-process.ts and waits until it listens. */
export async function startSharedEmulator(): Promise<SharedEmulator> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('./emulator-process.ts', import.meta.url).pathname],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const next = () =>
    new Promise<EmulatorReply>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`emulator exited (${code})`));
      child.once('exit', onExit);
      child.once('message', (reply) => {
        child.off('exit', onExit);
        resolve(reply as EmulatorReply);
      });
    });
  const ask = async (command: EmulatorCommand) => {
    const reply = next();
    child.send(command);
    return reply;
  };
  const ready = await next();
  if (ready.type !== 'ready') throw new Error(`emulator said ${ready.type} before ready`);
  return {
    baseUrl: ready.baseUrl,
    pid: child.pid!,
    async count() {
      const reply = await ask({ cmd: 'count' });
      if (reply.type !== 'count') throw new Error(`emulator said ${reply.type} to count`);
      return reply.requests;
    },
    async stop() {
      if (child.exitCode === null) await ask({ cmd: 'stop' }).catch(() => undefined);
      await exited;
    },
  };
}
