import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { startDevConsul, type DevConsulHandle } from 'dev-consul';
import { Agent, fetch as undiciFetch } from 'undici';
import { waitFor } from 'process-supervisor';
import { killInstance, startInstance, startScript, type InstanceProcess } from '../helpers/processes.js';

// The orders example (test/fixtures/orders/orders.mjs): a plain fetch-based service whose adoption of the
// library is the global dispatcher line. Real processes: dev-consul in this process, inventory and pricing
// twice each (registered with 2 s TTL checks), the orders service; one inventory and one pricing instance are
// SIGKILLed while orders keep coming, and no order is lost.

const ORDERS = fileURLToPath(new URL('../fixtures/orders/orders.mjs', import.meta.url));

let consul: DevConsulHandle | undefined;
let processes: InstanceProcess[] = [];
const agent = new Agent();

afterEach(async () => {
  await Promise.all(processes.map((p) => killInstance(p)));
  processes = [];
  await consul?.close();
  consul = undefined;
});

afterAll(async () => {
  await agent.close();
});

interface Placed {
  status: number;
  body: { inventory?: string; pricing?: string; message?: string };
}

async function order(url: string, n: number): Promise<Placed> {
  const response = await undiciFetch(`${url}/orders`, {
    dispatcher: agent,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ item: `item-${n % 5}`, quantity: 1 + (n % 3) }),
  });
  return { status: response.status, body: (await response.json()) as Placed['body'] };
}

describe('the orders example', () => {
  it('loses no order when an inventory and a pricing instance are killed under load', async () => {
    consul = await startDevConsul({ port: 0, logLevel: 'error' });
    const addr = `127.0.0.1:${consul.port}`;
    processes = await Promise.all([
      startInstance('inventory-1', addr, '2s', false, 'inventory'),
      startInstance('inventory-2', addr, '2s', false, 'inventory'),
      startInstance('pricing-1', addr, '2s', false, 'pricing'),
      startInstance('pricing-2', addr, '2s', false, 'pricing'),
    ]);
    const orders = await startScript('orders', ORDERS, { CONSUL_HTTP_ADDR: addr, PORT: '0' });
    processes.push(orders);

    const placed: Placed[] = [];
    for (let n = 0; n < 8; n++) placed.push(await order(orders.url, n));
    expect(placed.map((p) => p.status)).toEqual(Array(8).fill(201));
    expect(new Set(placed.map((p) => p.body.inventory))).toEqual(new Set(['inventory-1', 'inventory-2']));
    expect(new Set(placed.map((p) => p.body.pricing))).toEqual(new Set(['pricing-1', 'pricing-2']));

    // four clients ordering while the instances die; orders from the 40th on wait for the kill
    let next = 8;
    let killed!: () => void;
    const kill = new Promise<void>((resolve) => (killed = resolve));
    const clients = Array.from({ length: 4 }, async () => {
      const results: Placed[] = [];
      while (next < 80) {
        const n = next++;
        if (n >= 40) await kill;
        results.push(await order(orders.url, n));
      }
      return results;
    });
    await waitFor(() => next >= 16, { timeoutMs: 10_000, what: 'orders under way' });
    await killInstance(processes[0]!);
    await killInstance(processes[2]!);
    killed();
    const after = (await Promise.all(clients)).flat();
    expect(after.filter((p) => p.status !== 201)).toEqual([]);
    expect(after).toHaveLength(72);
    // the last orders were served by the instances left
    expect(after.slice(-10).map((p) => [p.body.inventory, p.body.pricing])).toEqual(Array(10).fill(['inventory-2', 'pricing-2']));
  });
});
