#!/usr/bin/env node
/**
 * Online backup of the services' SQLite files, safe while instances keep writing (WAL):
 *
 *   node dist/backup.js [--data-dir .data/reddit] [--out .data/backups/<UTC timestamp>]
 *
 * Each `<service>.db` is copied with `VACUUM INTO`, which reads one consistent snapshot in a single
 * read transaction (writers go on meanwhile; committed WAL content is included), writes a compact
 * file, and is then checked with `PRAGMA integrity_check`. Exit code 1 when any copy fails.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Sqlite from 'better-sqlite3';
import { parseCommandLine } from 'cli-kit';
import { DEFAULT_DATA_DIR, SERVICE_NAMES } from './shared/config.js';

export interface BackupResult {
  service: string;
  source: string;
  destination: string;
  bytes: number;
  integrity: string;
}

/** Copies one database file to `destination` (which must not exist) and checks the copy. */
export function backupDatabase(source: string, destination: string): { bytes: number; integrity: string } {
  const db = new Sqlite(source, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.prepare('VACUUM INTO ?').run(destination);
  } finally {
    db.close();
  }
  const copy = new Sqlite(destination, { readonly: true, fileMustExist: true });
  try {
    return { bytes: statSync(destination).size, integrity: copy.pragma('integrity_check', { simple: true }) as string };
  } finally {
    copy.close();
  }
}

/** Backs up every service database found in `dataDir` into `outDir`. */
export function backupAll(dataDir: string, outDir: string): BackupResult[] {
  mkdirSync(outDir, { recursive: true });
  const results: BackupResult[] = [];
  for (const service of SERVICE_NAMES) {
    const source = join(dataDir, `${service}.db`);
    if (!existsSync(source)) continue;
    const destination = join(outDir, `${service}.db`);
    results.push({ service, source, destination, ...backupDatabase(source, destination) });
  }
  return results;
}

const USAGE = `Usage: node packages/reddit-services/dist/backup.js [--data-dir DIR] [--out DIR]

Online backup of the services' SQLite files (VACUUM INTO, then PRAGMA integrity_check), safe while
instances keep writing. Exit code 1 when any copy fails.

Options:
  --data-dir DIR   where the <service>.db files are (default: DATA_DIR, else ${DEFAULT_DATA_DIR})
  --out DIR        where the copies go; must not hold a backup yet (default .data/backups/<UTC timestamp>)
  -h, --help       show this help
`;

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const { values: flags } = parseCommandLine({ program: 'backup', usage: USAGE, options: { 'data-dir': { type: 'string' }, out: { type: 'string' } } });
  const dataDir = flags['data-dir'] ?? process.env.DATA_DIR ?? DEFAULT_DATA_DIR;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const outDir = flags.out ?? join('.data', 'backups', stamp);
  try {
    if (existsSync(join(outDir, 'posts.db')) || existsSync(join(outDir, 'votes.db'))) throw new Error(`${outDir} already holds a backup`);
    const results = backupAll(dataDir, outDir);
    if (results.length === 0) throw new Error(`no service database in ${dataDir}`);
    for (const result of results) process.stdout.write(`${result.service}: ${result.source} -> ${result.destination} (${result.bytes} bytes, integrity ${result.integrity})\n`);
    if (results.some((result) => result.integrity !== 'ok')) process.exit(1);
  } catch (error) {
    process.stderr.write(`backup failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
