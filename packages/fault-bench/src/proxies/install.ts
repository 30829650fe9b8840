/**
 * Finds nginx and HAProxy, installing them from Debian (`apt-get install -y nginx haproxy`) when they are
 * missing and we are root, as issue 8 asks of the harness.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ProxyBinary } from './proxy.js';

const CANDIDATES: Record<'nginx' | 'haproxy', string[]> = {
  nginx: ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'],
  haproxy: ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy', '/usr/bin/haproxy'],
};

function find(name: 'nginx' | 'haproxy'): string | undefined {
  return CANDIDATES[name].find((path) => existsSync(path));
}

function versionOf(name: 'nginx' | 'haproxy', path: string): string {
  const out = spawnSync(path, name === 'nginx' ? ['-v'] : ['-v'], { encoding: 'utf8' });
  const text = `${out.stdout ?? ''}${out.stderr ?? ''}`;
  const match = name === 'nginx' ? /nginx\/(\S+)/.exec(text) : /HAProxy version (\S+)/.exec(text);
  return match?.[1] ?? 'unknown';
}

/** The proxies, installing the missing ones; throws with the reason when that is impossible. */
export function ensureProxies(names: ReadonlyArray<'nginx' | 'haproxy'>): Record<string, ProxyBinary> {
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
