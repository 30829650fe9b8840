/**
 * The "Done when" scenario, over raw HTTP exactly as curl would do it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { call, health, start } from './helpers.js';
import type { DevConsulHandle } from './helpers.js';

let consul: DevConsulHandle;
beforeAll(async () => {
  consul = await start();
});
afterAll(async () => {
  await consul.close();
});

it('TTL 2s: [] until pass, listed after, empty ~2 s after the last pass, and a parked blocking query returns the moment it expires', async () => {
  const reg = await call(consul, 'PUT', '/v1/agent/service/register', '{"Name":"ratings","ID":"ratings-1","Port":8001,"Check":{"TTL":"2s"}}');
  expect(reg.status).toBe(200);
  expect(reg.text).toBe('');

  expect((await health(consul, 'ratings', '?passing')).entries).toEqual([]);

  const pass = await call(consul, 'PUT', '/v1/agent/check/pass/service:ratings-1');
  expect(pass.status).toBe(200);
  const listed = await health(consul, 'ratings', '?passing');
  expect(listed.entries.map((e) => e.Service.ID)).toEqual(['ratings-1']);

  // Heartbeat once more after 1 s: the TTL clock restarts from the last pass. The pause is the scenario's own
  // step (time passing is its input), not a wait for a state.
  await sleep(1000);
  const beforeLastPass = Date.now();
  await call(consul, 'PUT', '/v1/agent/check/pass/service:ratings-1');
  const lastPass = Date.now();
  const again = await health(consul, 'ratings', '?passing');
  expect(again.entries).toHaveLength(1);
  // The heartbeat changed nothing, so the index did not move.
  expect(again.index).toBe(listed.index);

  // Park a blocking query on the current index: it must return when the TTL expires, not at `wait`.
  const blocked = await health(consul, 'ratings', `?passing&index=${again.index}&wait=30s`);
  const returnedAt = Date.now();
  expect(blocked.entries).toEqual([]);
  expect(blocked.index).toBeGreaterThan(again.index);
  // Not before the TTL measured from the last pass, and long before the 30 s wait (margin for a loaded machine).
  expect(returnedAt - beforeLastPass).toBeGreaterThanOrEqual(1990);
  expect(returnedAt - lastPass).toBeLessThan(3500);

  const all = await health(consul, 'ratings');
  expect(all.entries[0]?.Checks.find((c) => c.CheckID === 'service:ratings-1')).toMatchObject({ Status: 'critical', Output: 'TTL expired' });
});
