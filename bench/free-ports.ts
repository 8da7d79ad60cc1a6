import { createServer } from 'node:net';
import { randomInt } from 'node:crypto';

const tryListen = (port: number) =>
  new Promise<number | undefined>((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(undefined));
    probe.listen(port, '127.0.0.1', () => {
      const { port: bound } = probe.address() as { port: number };
      probe.close(() => resolve(bound));
    });
  });

/** A port free on 127.0.0.1 now (the system's pick). */
export async function freePort(): Promise<number> {
  const port = await tryListen(0);
  if (port === undefined) throw new Error('no free port');
  return port;
}

/** `count` distinct free ports (the system may offer a port again once its probe is closed). */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/**
 * The first of `size` consecutive free ports, for dev/start.ts's SUBGRAPH_PORT_BASE (its subgraphs
 * take the base and the three after it). Tried at random above the usual service ports.
 */
export async function freePortBlock(size: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const base = randomInt(20_000, 60_000 - size);
    let free = true;
    for (let offset = 0; offset < size && free; offset += 1) {
      free = (await tryListen(base + offset)) !== undefined;
    }
    if (free) return base;
  }
  throw new Error(`no ${size} consecutive free ports`);
}
