import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { waitFor } from 'process-supervisor';
import { AttemptSignal } from '../../src/attempt/attempt.js';
import { UndiciTransport } from '../../src/transport/undici-transport.js';

let server: http.Server | undefined;
let transport: UndiciTransport | undefined;
/** Responses the handler left open, ended on cleanup. */
const open: http.ServerResponse[] = [];

async function serve(handler: http.RequestListener): Promise<string> {
  server = http.createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await transport?.close();
  transport = undefined;
  for (const res of open.splice(0)) res.destroy();
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
  }
});

describe('UndiciTransport', () => {
  it('joins a body sent in pieces as UTF-8 (a character split across chunks, no BOM) and keeps repeated headers', async () => {
    const origin = await serve((_req, res) => {
      res.setHeader('Set-Cookie', ['a=1', 'b=2']);
      res.writeHead(404, { 'X-Thing': 'Camera' });
      const text = Buffer.from('\uFEFFcaméra ✓', 'utf8');
      res.write(text.subarray(0, 6)); // ends inside "é"
      setTimeout(() => res.end(text.subarray(6)), 20);
    });
    transport = new UndiciTransport();
    const response = await transport.request({ origin, method: 'GET', path: '/', headers: {}, signal: new AttemptSignal() });
    expect(response.statusCode).toBe(404);
    expect(response.headers['x-thing']).toBe('Camera');
    expect(response.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(response.body).toBe('caméra ✓');
  });

  it('sends the body and headers it is given', async () => {
    let seen = '';
    const origin = await serve((req, res) => {
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (seen += chunk));
      req.on('end', () => res.end(`${req.method} ${req.headers['x-id']}`));
    });
    transport = new UndiciTransport();
    const response = await transport.request({ origin, method: 'POST', path: '/p', headers: { 'x-id': '7' }, body: '{"n":1}', signal: new AttemptSignal() });
    expect(response.body).toBe('POST 7');
    expect(seen).toBe('{"n":1}');
  });

  it('aborting mid-body rejects with the signal reason and closes the socket', async () => {
    let closed = false;
    const origin = await serve((_req, res) => {
      open.push(res);
      res.on('close', () => (closed = !res.writableEnded));
      res.writeHead(200);
      res.write('partial');
    });
    transport = new UndiciTransport();
    const signal = new AttemptSignal();
    const pending = transport.request({ origin, method: 'GET', path: '/', headers: {}, signal });
    setTimeout(() => signal.abort(new Error('attempt timed out')), 50);
    await expect(pending).rejects.toThrow('attempt timed out');
    await waitFor(() => closed, { timeoutMs: 1000, what: 'the upstream to see its socket closed' });
  });

  it('an attempt aborted while queued for a busy connection rejects at once and is never sent', async () => {
    let hits = 0;
    const paths: string[] = [];
    const origin = await serve((req, res) => {
      hits++;
      paths.push(req.url ?? '');
      if (req.url === '/3') res.end('third');
      else open.push(res);
    });
    transport = new UndiciTransport({ connections: 1 });
    const first = new AttemptSignal();
    const busy = transport.request({ origin, method: 'GET', path: '/1', headers: {}, signal: first });
    busy.catch(() => undefined);
    await waitFor(() => hits > 0, { timeoutMs: 1000, what: 'the first attempt sent' });
    expect(hits).toBe(1);

    const second = new AttemptSignal();
    const queued = transport.request({ origin, method: 'GET', path: '/2', headers: {}, signal: second });
    second.abort(new Error('queued attempt timed out'));
    await expect(queued).rejects.toThrow('queued attempt timed out');

    first.abort(new Error('first attempt timed out'));
    await expect(busy).rejects.toThrow('first attempt timed out');
    // the connection is free again: a fresh request goes through, the aborted one was dropped
    const later = transport.request({ origin, method: 'GET', path: '/3', headers: {}, signal: new AttemptSignal() });
    await expect(later).resolves.toMatchObject({ body: 'third' });
    // one connection serves requests in order: had /2 been sent, it would have arrived before /3
    expect(paths).toEqual(['/1', '/3']);
  });

  it('rejects when nothing listens', async () => {
    const origin = await serve(() => undefined);
    server!.close();
    server = undefined;
    transport = new UndiciTransport();
    await expect(transport.request({ origin, method: 'GET', path: '/', headers: {}, signal: new AttemptSignal() })).rejects.toThrow();
  });
});
