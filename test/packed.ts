// The tarballs test/global-setup.js packed for this run (under PACKED_ROOT), as a user would install them.
import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

export const run = promisify(execFile);

/** The packages meant for npm (the same list as global-setup.js). */
export const PUBLISHABLE = ['cli-kit', 'discovery-client', 'dev-consul'] as const;
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

/** Where the tarballs are, and what each one holds. */
export function packed(): { root: string; packages: Record<Publishable, PackedPackage> } {
  const root = process.env.PACKED_ROOT;
  if (!root) throw new Error('PACKED_ROOT is not set: run the repository suite with its jest.config.js (global-setup.js packs)');
  const packages = {} as Record<Publishable, PackedPackage>;
  for (const name of PUBLISHABLE) {
    const tarball = readdirSync(root).find((file) => file.startsWith(`${name}-`) && file.endsWith('.tgz'));
    if (tarball === undefined) throw new Error(`no ${name}-*.tgz in ${root}`);
    const dir = path.join(root, name);
    packages[name] = { tarball: path.join(root, tarball), dir, files: listFiles(dir) };
  }
  return { root, packages };
}
