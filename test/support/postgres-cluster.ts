/**
 * A throwaway PostgreSQL cluster of a test's own (initdb into a temporary directory, pg_ctl on a
 * free port of 127.0.0.1), for tests that restart a real server: the shared one on 5432 is never
 * touched. initdb and the server refuse to run as root, so as root every command runs as the
 * `postgres` user (runuser), as the distribution's own packages run it.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const PG_ROOT = '/usr/lib/postgresql';
const RUNUSER = '/usr/sbin/runuser';
/** pg_ctl's own wait for a start or stop (seconds); a slow shared host takes several. */
const PG_CTL_WAIT_SECONDS = 60;

export interface PostgresCluster {
  /** `postgres://postgres@127.0.0.1:<port>/test`. */
  url: string;
  /** `pg_ctl restart -m <mode>`: resolves once the server accepts connections again. */
  restart(mode: 'fast' | 'immediate'): Promise<void>;
  /** Stops the server and deletes its directory. */
  destroy(): Promise<void>;
}

/** The newest installed PostgreSQL's bin directory, or undefined. */
function binDir(): string | undefined {
  if (!existsSync(PG_ROOT)) return undefined;
  const versions = readdirSync(PG_ROOT)
    .filter((v) => existsSync(join(PG_ROOT, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] && join(PG_ROOT, versions[0], 'bin');
}

/** The `postgres` user's uid and gid, when this process is root and must run as it. */
function postgresUser(): { uid: number; gid: number } | undefined {
  try {
    const id = (flag: string) =>
      Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

/** Why this machine cannot run a cluster of a test's own, or undefined when it can. */
export function postgresClusterUnavailable(): string | undefined {
  if (!binDir()) return `no PostgreSQL server binaries under ${PG_ROOT}`;
  if (process.getuid?.() === 0 && (!existsSync(RUNUSER) || !postgresUser()))
    return 'running as root without runuser and a postgres user (initdb refuses root)';
  return undefined;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** initdb, start, and `CREATE DATABASE test`. Check postgresClusterUnavailable() first. */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = binDir()!;
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? postgresUser() : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'mg-pg-'));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const tool = async (name: string, args: string[]) => {
    const [file, argv] = owner
      ? [RUNUSER, ['-u', 'postgres', '--', join(bin, name), ...args]]
      : [join(bin, name), args];
    try {
      await run(file, argv, { cwd: dir, timeout: (PG_CTL_WAIT_SECONDS + 30) * 1000 });
    } catch (error) {
      const tail = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
      throw new Error(`${name} ${args.join(' ')} failed: ${String(error)}\n${tail}`, {
        cause: error,
      });
    }
  };
  const ctl = (...args: string[]) =>
    tool('pg_ctl', ['-D', data, '-l', log, '-w', '-t', String(PG_CTL_WAIT_SECONDS), ...args]);
  const port = await freePort();
  const base = `postgres://postgres@127.0.0.1:${port}`;
  const destroy = async () => {
    if (existsSync(join(data, 'postmaster.pid')))
      await ctl('-m', 'immediate', 'stop').catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    // -N: no fsync of the new files (a cluster that lives for one test file).
    await tool('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-N']);
    // pg_ctl restart reuses these options (postmaster.opts).
    await ctl('-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, 'start');
    const admin = new pg.Client({ connectionString: `${base}/postgres` });
    await admin.connect();
    await admin.query('CREATE DATABASE test');
    await admin.end();
  } catch (error) {
    await destroy();
    throw error;
  }
  return {
    url: `${base}/test`,
    restart: (mode) => ctl('-m', mode, 'restart'),
    destroy,
  };
}
