// What the deploy scenario tests share: the passing instances Consul lists, the load client.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SupervisedChild } from 'process-supervisor';
import type { LoadSummary } from '../../src/load/load-run.js';
import { REPO } from '../../src/services.js';

const LOAD = `${REPO}packages/deploy/dist/load.js`;

/** The passing instances of `service` in the Consul at `consulUrl`, with their meta version and color. */
export async function passingInstances(consulUrl: string, service: string): Promise<Array<{ id: string; version?: string; color?: string }>> {
  const entries = await (await fetch(`${consulUrl}/v1/health/service/${service}?passing`)).json() as Array<{ Service: { ID: string; Meta: Record<string, string> } }>;
  return entries.map((e) => ({ id: e.Service.ID, version: e.Service.Meta.version, color: e.Service.Meta.color }));
}

/**
 * Runs the load client (`load`: `node dist/load.js` started with `target`, e.g. `['--service', 'ratings']`, and
 * `--json <dir>/<name>.json`) at `rate` requests/s; once traffic flows (the first version it sees) calls `during`
 * with it (to wait for its lines), lets traffic run a second more (on the new instances only), then ^C. Returns its
 * JSON summary.
 */
export async function underLoad(
  start: (name: string, args: string[]) => SupervisedChild,
  options: { name: string; target: string[]; rate: string; dir: string },
  during: (load: SupervisedChild) => Promise<void>,
): Promise<LoadSummary> {
  const json = join(options.dir, `${options.name}.json`);
  const load = start(`load-${options.name}`, [LOAD, ...options.target, '--rate', options.rate, '--duration', '120s', '--json', json]);
  await load.waitForLine(/^version \S+ \(from /, 20_000); // traffic flows
  await sleep(500);
  await during(load);
  await sleep(1000);
  load.process.kill('SIGINT');
  await load.exited;
  return JSON.parse(readFileSync(json, 'utf8')) as LoadSummary;
}
