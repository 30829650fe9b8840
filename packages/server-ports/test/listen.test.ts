import { createServer as createTcpServer } from 'node:net';
import { createServer, get, type Server } from 'node:http';
import { afterEach, describe, expect, it } from '@jest/globals';
import { freePort, listen, type ListeningServer } from '../src/index.js';

const running: ListeningServer[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) if (server.server.listening) await server.close();
});

describe('listen', () => {
  it('serves a request listener on port 0 and resolves with the port it got', async () => {
    const server = await listen((_req, res) => res.end('hello'), { port: 0, host: '127.0.0.1' });
    running.push(server);
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(await (await fetch(server.url)).text()).toBe('hello');
  });

  it('binds a server given as it is, on every interface when no host is given', async () => {
    const given: Server = createServer((_req, res) => res.end('given'));
    const server = await listen(given, { port: 0 });
    running.push(server);
    expect(server.server).toBe(given);
    expect(server.url).toBe(`http://localhost:${server.port}`);
    expect(await (await fetch(`http://127.0.0.1:${server.port}`)).text()).toBe('given');
  });

  it('brackets an IPv6 host in its url', async () => {
    const server = await listen((_req, res) => res.end('six'), { port: 0, host: '::1' }).catch(() => undefined);
    if (server === undefined) return; // no IPv6 loopback on this machine
    running.push(server);
    expect(server.url).toBe(`http://[::1]:${server.port}`);
    expect(await (await fetch(server.url)).text()).toBe('six');
  });

  it('rejects with the listen error, EADDRINUSE kept, and leaves the server unbound', async () => {
    const taken = await listen(() => undefined, { port: 0, host: '127.0.0.1' });
    running.push(taken);
    const second = createServer();
    const error = await listen(second, { port: taken.port, host: '127.0.0.1' }).catch((e: unknown) => e);
    expect((error as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
    expect(second.listening).toBe(false);
  });

  it('close() waits for the request in flight and refuses new connections', async () => {
    let answer: (() => void) | undefined;
    const server = await listen((_req, res) => { answer = () => res.end('late'); }, { port: 0, host: '127.0.0.1' });
    // a connection of its own, closed after the answer (fetch would keep it alive and idle)
    const inFlight = new Promise<string>((resolve, reject) => {
      get(server.url, { agent: false }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve(body));
      }).on('error', reject);
    });
    await new Promise<void>((resolve) => { const poll = (): void => { if (answer) resolve(); else setTimeout(poll, 5); }; poll(); });
    const closed = server.close();
    answer!();
    expect(await inFlight).toBe('late');
    await closed;
    await expect(fetch(server.url)).rejects.toThrow();
  });

  it('names a bad port', async () => {
    await expect(listen(() => undefined, { port: -1 })).rejects.toThrow('Expected `port` to be an integer from 0 to 65535, got -1');
  });
});

describe('freePort', () => {
  it('gives a port nobody listens on, which can then be bound', async () => {
    const port = await freePort();
    const probe = createTcpServer();
    await new Promise<void>((resolve, reject) => { probe.once('error', reject); probe.listen(port, '127.0.0.1', resolve); });
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });
});
