// Packs the publishable packages once for the whole repository suite, before any test runs (packing
// rebuilds their dist/, which the other tests' processes load): `npm pack -w packages/<name>` for each,
// as a maintainer would (prepack cleans and builds), into a temporary directory named by PACKED_ROOT,
// each tarball also unpacked into PACKED_ROOT/<name>.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PUBLISHABLE = ['cli-kit', 'discovery-client', 'dev-consul'];
const REPO = fileURLToPath(new URL('..', import.meta.url));

export default function packPublishable() {
  const root = mkdtempSync(path.join(os.tmpdir(), 'packed-'));
  for (const name of PUBLISHABLE) {
    execFileSync('npm', ['pack', '-w', `packages/${name}`, '--pack-destination', root], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
    const tarball = readdirSync(root).find((file) => file.startsWith(`${name}-`) && file.endsWith('.tgz'));
    if (tarball === undefined) throw new Error(`npm pack wrote no ${name}-*.tgz into ${root}`);
    mkdirSync(path.join(root, name));
    execFileSync('tar', ['-xzf', path.join(root, tarball), '-C', path.join(root, name), '--strip-components=1']);
  }
  process.env.PACKED_ROOT = root;
}
