import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { Upstream } from '../helpers/upstream.js';

const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

describe('LOG_FORMAT=json', () => {
  it('makes the default logger print pino JSON lines with the walkthrough messages', async () => {
    const upstream = await new Upstream('a').start();
    try {
      const script = `
        const { DiscoveryClient } = await import(${JSON.stringify(DIST)});
        const discovery = new DiscoveryClient({ static: { ratings: [{ id: 'ratings-1', url: ${JSON.stringify(upstream.url)} }] } });
        await discovery.service('ratings').get('/r');
        await discovery.close();`;
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, LOG_FORMAT: 'json' } }, (error, out) =>
          error ? reject(error) : resolve(out),
        ),
      );
      const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.map((l) => l.msg)).toEqual([
        'resolving ratings',
        `resolved ratings => [${upstream.url}]`,
        `ratings using instance 1: ${upstream.url}`,
      ]);
      expect(lines[2]).toMatchObject({ level: 30, service: 'ratings', instance: 1, instanceId: 'ratings-1', url: upstream.url });
    } finally {
      await upstream.close();
    }
  });
});
