import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { startDevConsul, type DevConsulHandle } from 'dev-consul';
import { DiscoveryClient, isUpstreamConnectionError, register, type Registration, type UpstreamConnectionError } from '../../src/index.js';
import { makeCertificates, type TestCertificates } from '../helpers/certificates.js';

let certs: TestCertificates;
let consul: DevConsulHandle;
let discovery: DiscoveryClient | undefined;
const servers: https.Server[] = [];
const registrations: Registration[] = [];

/** An https instance on port 0; `mutual`: it requires a client certificate signed by the test CA. */
async function httpsInstance(name: string, mutual = false): Promise<number> {
  const server = https.createServer(
    { cert: certs.serverCert, key: certs.serverKey, ...(mutual ? { ca: certs.ca, requestCert: true, rejectUnauthorized: true } : {}) },
    (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ from: name, clientCert: (req.socket as TLSSocket).getPeerCertificate().subject?.CN ?? null }));
    },
  );
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function registerHttps(id: string, port: number, how: 'meta' | 'tag'): Promise<void> {
  registrations.push(await register({
    name: 'inventory', id, address: '127.0.0.1', port, ttl: '10s', logger: false,
    consul: { host: '127.0.0.1', port: consul.port },
    ...(how === 'meta' ? { meta: { scheme: 'https' } } : { tags: ['scheme=https'] }),
  }));
}

async function failure(promise: Promise<unknown>): Promise<UpstreamConnectionError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(isUpstreamConnectionError(error)).toBe(true);
  return error as UpstreamConnectionError;
}

beforeAll(async () => {
  certs = await makeCertificates();
}, 30_000);

beforeEach(async () => {
  consul = await startDevConsul({ port: 0, logLevel: 'error' });
});

afterEach(async () => {
  await discovery?.close();
  discovery = undefined;
  for (const registration of registrations.splice(0)) await registration.close();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await consul.close();
});

describe.each(['undici', 'got'] as const)('TLS to instances (%s transport)', (transport) => {
  it('calls a Consul instance registered with meta scheme=https (or tag scheme=https) over TLS, trusting the given CA', async () => {
    await registerHttps('inventory-1', await httpsInstance('inventory-1'), 'meta');
    await registerHttps('inventory-2', await httpsInstance('inventory-2'), 'tag');
    discovery = new DiscoveryClient({ consul: { host: '127.0.0.1', port: consul.port }, logger: false });
    const inventory = discovery.service('inventory', { transport, tls: { ca: certs.ca } });
    const first = await inventory.get('/');
    const second = await inventory.get('/');
    expect([first.instance!.url, second.instance!.url].every((url) => url.startsWith('https://127.0.0.1:'))).toBe(true);
    expect(new Set([(JSON.parse(first.body) as { from: string }).from, (JSON.parse(second.body) as { from: string }).from])).toEqual(new Set(['inventory-1', 'inventory-2']));
  });

  it('calls a static https:// instance', async () => {
    const port = await httpsInstance('inventory-1');
    discovery = new DiscoveryClient({ static: { inventory: [`https://localhost:${port}`] }, logger: false });
    const body = await discovery.service('inventory', { transport, tls: { ca: certs.ca } }).get('/').json<{ from: string }>();
    expect(body.from).toBe('inventory-1');
  });

  it('fails with a TLS error naming service and instance when the instance certificate is not signed by the given CA', async () => {
    const port = await httpsInstance('inventory-1');
    discovery = new DiscoveryClient({ static: { inventory: [`https://127.0.0.1:${port}`] }, logger: false });
    const error = await failure(discovery.service('inventory', { transport, retry: false, tls: { ca: certs.otherCa } }).get('/'));
    expect(error.tls).toBe(true);
    expect(error.message).toContain(`TLS with inventory at https://127.0.0.1:${port} failed`);
    expect(error.service).toBe('inventory');
    expect(error.instance.url).toBe(`https://127.0.0.1:${port}`);
  });

  it('mutual TLS: an instance requiring a client certificate refuses a call without one and answers one with it', async () => {
    const port = await httpsInstance('inventory-1', true);
    await registerHttps('inventory-1', port, 'meta');
    discovery = new DiscoveryClient({ consul: { host: '127.0.0.1', port: consul.port }, logger: false });
    const without = await failure(discovery.service('inventory', { transport, retry: false, tls: { ca: certs.ca } }).get('/'));
    expect(without.message).toContain(`inventory at https://127.0.0.1:${port}`);
    expect(without.service).toBe('inventory');
    const body = await discovery
      .service('inventory', { transport, tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey } })
      .get('/')
      .json<{ from: string; clientCert: string }>();
    expect(body).toEqual({ from: 'inventory-1', clientCert: 'test client' });
  });
});

describe('the tls option', () => {
  it('names a misspelt field and a certificate without its key', () => {
    discovery = new DiscoveryClient({ static: { inventory: ['https://127.0.0.1:1'] }, logger: false });
    expect(() => discovery!.service('inventory', { tls: { rejectUnauthorised: false } as never })).toThrow(/Unknown option `tls.rejectUnauthorised`/);
    expect(() => discovery!.service('inventory', { tls: { cert: certs.clientCert } })).toThrow(/`tls.cert` and `tls.key` together/);
  });
});
