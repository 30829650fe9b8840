// Packs the publishable packages the way `npm pack` does for a maintainer (prepack builds them), into a
// temporary directory, and unpacks each tarball beside it so tests can read what a user would install.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO } from '../test-support/process.js';

export const run = promisify(execFile);

/** The packages meant for npm. */
export const PUBLISHABLE = ['discovery-client', 'dev-consul'] as const;
export type Publishable = (typeof PUBLISHABLE)[number];

export interface PackedPackage {
  /** The .tgz npm pack wrote. */
  tarball: string;
  /** The tarball unpacked: the directory npm would install as node_modules/<name>. */
  dir: string;
  /** Every file in it, relative, with `/`. */
  files: string[];
}

function listFiles(root: string, dir = root): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listFiles(root, full) : [path.relative(root, full).split(path.sep).join('/')];
  });
}

/** `npm pack -w packages/<name>` for each publishable package, into a fresh temporary directory. */
export async function packAll(): Promise<{ root: string; packages: Record<Publishable, PackedPackage>; cleanup(): void }> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'packed-'));
  const packages = {} as Record<Publishable, PackedPackage>;
  for (const name of PUBLISHABLE) {
    await run('npm', ['pack', '-w', `packages/${name}`, '--pack-destination', root], { cwd: REPO, maxBuffer: 16 << 20 });
    const filename = readdirSync(root).find((file) => file.startsWith(`${name}-`) && file.endsWith('.tgz'));
    if (filename === undefined) throw new Error(`npm pack wrote no ${name}-*.tgz into ${root}`);
    const tarball = path.join(root, filename);
    const dir = path.join(root, name);
    await run('mkdir', ['-p', dir]);
    await run('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1']);
    packages[name] = { tarball, dir, files: listFiles(dir) };
  }
  return { root, packages, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
