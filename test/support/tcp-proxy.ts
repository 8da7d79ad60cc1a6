/**
 * A TCP proxy in front of a real server (PostgreSQL, Redis, a service) that a test can take down
 * and bring back, to see how services behave while a store restarts, without touching the server
 * that other suites share. While down, open connections are destroyed and new ones are refused at
 * once. `retarget` moves it to another server, as a Service moves to a new replica.
 */
import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  /** `127.0.0.1:<port>` the proxy listens on. */
  readonly host: string;
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  urlFor(url: string): string;
  /** Cuts every open connection and refuses new ones until `up()`. */
  down(): void;
  /**
   * Keeps every open connection but stops passing bytes either way, as a server that hangs
   * without closing its sockets (new connections still pass).
   */
  stall(): void;
  up(): void;
  /**
   * Sends new connections to `target` from now on; open ones stay with the old one, as a
   * Kubernetes Service does when an endpoint changes (the stand-in for kube-proxy).
   */
  retarget(target: { host: string; port: number }): void;
  readonly isUp: boolean;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  const pairs = new Set<[Socket, Socket]>();
  let isUp = true;
  let current = target;
  const server = createServer((client) => {
    if (!isUp) return void client.destroy();
    const upstream = connect(current.port, current.host);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    for (const socket of pair) {
      open.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        open.delete(socket);
        pairs.delete(pair);
        for (const other of pair) other.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    host: '127.0.0.1',
    port,
    urlFor(url) {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    down() {
      isUp = false;
      for (const socket of open) socket.destroy();
    },
    stall() {
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    up() {
      isUp = true;
    },
    retarget(next) {
      current = next;
    },
    get isUp() {
      return isUp;
    },
    async close() {
      isUp = false;
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The host and port of a `postgres://` or `redis://` URL. */
export function hostPortOf(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  const defaults: Record<string, number> = {
    'postgres:': 5432,
    'postgresql:': 5432,
    'redis:': 6379,
  };
  return { host: parsed.hostname, port: Number(parsed.port || defaults[parsed.protocol]) };
}
