import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from 'server-ports';

const run = promisify(execFile);

/** A PostgreSQL server this process started from a data directory of its own (`initdb` + `pg_ctl`). */
export interface LocalPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication, local connections only). */
  url: string;
  port: number;
  dataDir: string;
  /** `pg_ctl stop -m fast`: ends the sessions and stops the server. The data directory stays. */
  stop(): Promise<void>;
}

export interface StartLocalPostgresOptions {
  /** The cluster's directory: created with `initdb` when it holds no cluster yet, reused otherwise. */
  dataDir: string;
  /** @default a free port */
  port?: number;
  /**
   * Throwaway clusters (tests): `fsync=off` and no `initdb` sync. Never for data you keep.
   * @default false
   */
  throwaway?: boolean;
}

/** Where the server binaries are: `PG_BIN`, else the newest `/usr/lib/postgresql/<version>/bin` (Debian), else PATH. */
export function postgresBinDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.PG_BIN) return env.PG_BIN;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((version) => existsSync(join(root, version, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

/**
 * Starts PostgreSQL on 127.0.0.1 from `dataDir`, creating the cluster first when needed. PostgreSQL
 * refuses to run as root: as root, the directory is given to the `postgres` system user (created by
 * Debian's `postgresql` package) and the commands run as that user through `runuser`.
 * @throws Error naming what to install when the binaries are missing
 */
export async function startLocalPostgres(options: StartLocalPostgresOptions): Promise<LocalPostgres> {
  const bin = postgresBinDir();
  const tool = (name: string): string => (bin ? join(bin, name) : name);
  if (bin === undefined && !process.env.PATH?.split(':').some((dir) => existsSync(join(dir, 'initdb')))) {
    throw new Error('PostgreSQL server binaries not found (initdb, pg_ctl): install them (Debian: apt-get install -y postgresql) or set PG_BIN');
  }
  const dataDir = resolve(options.dataDir);
  const asRoot = process.getuid?.() === 0;
  let owner: { uid: number; gid: number } | undefined;
  if (asRoot) {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    owner = { uid, gid };
  }
  const exec = (command: string, args: string[]) => (owner ? run('runuser', ['-u', 'postgres', '--', command, ...args]) : run(command, args));

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    // Parents with the default mode (the postgres user must traverse them), the cluster's own directory 0700.
    mkdirSync(dirname(dataDir), { recursive: true });
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (owner) chownSync(dataDir, owner.uid, owner.gid);
    await exec(tool('initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale', ...(options.throwaway ? ['--no-sync'] : [])]);
  }
  const port = options.port ?? (await freePort());
  const settings = [`-p ${port}`, `-k ${dataDir}`, '-c listen_addresses=127.0.0.1', '-c max_connections=200', ...(options.throwaway ? ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'] : [])];
  await exec(tool('pg_ctl'), ['-D', dataDir, '-l', join(dataDir, 'server.log'), '-o', settings.join(' '), '-w', '-t', '60', 'start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    stop: async () => {
      await exec(tool('pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
    },
  };
}
