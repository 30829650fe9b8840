/**
 * Finds nginx, HAProxy and Caddy, installing the missing ones from Debian (`apt-get install -y nginx haproxy
 * caddy`) when we are root, as issue 8 asks of the harness.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ProxyBinary, ProxyKind } from './proxy.js';

/** Where Debian puts each binary (and where a local build would), how to ask its version, and how to read it. */
const BINARIES: Record<ProxyKind, { candidates: string[]; versionArgs: string[]; version: RegExp }> = {
  nginx: { candidates: ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'], versionArgs: ['-v'], version: /nginx\/(\S+)/ },
  haproxy: { candidates: ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy', '/usr/bin/haproxy'], versionArgs: ['-v'], version: /HAProxy version (\S+)/ },
  // `caddy version` prints `2.6.2` (Debian's build) or `v2.7.6 h1:…` (upstream's)
  caddy: { candidates: ['/usr/bin/caddy', '/usr/local/bin/caddy'], versionArgs: ['version'], version: /^v?(\d+\.\d+\.\d+\S*)/ },
};

function find(name: ProxyKind): string | undefined {
  return BINARIES[name].candidates.find((path) => existsSync(path));
}

function versionOf(name: ProxyKind, path: string): string {
  const out = spawnSync(path, BINARIES[name].versionArgs, { encoding: 'utf8' });
  const text = `${out.stdout ?? ''}${out.stderr ?? ''}`.trim();
  return BINARIES[name].version.exec(text)?.[1] ?? 'unknown';
}

/** The proxies, installing the missing ones; throws with the reason when that is impossible. */
export function ensureProxies(names: readonly ProxyKind[]): Record<string, ProxyBinary> {
  const missing = names.filter((name) => !find(name));
  if (missing.length > 0) {
    if (process.getuid?.() !== 0) {
      throw new Error(`${missing.join(' and ')} not found; install them (apt-get install -y ${missing.join(' ')}) or leave those contenders out (--contenders)`);
    }
    process.stderr.write(`installing ${missing.join(' ')} with apt-get\n`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-q', ...missing], { stdio: 'inherit', env });
  }
  const found: Record<string, ProxyBinary> = {};
  for (const name of names) {
    const path = find(name);
    if (!path) throw new Error(`${name} still not found after apt-get install`);
    found[name] = { path, version: versionOf(name, path) };
  }
  return found;
}
