/** `/v1/status/*`: leader and peers. No ACL, no blocking: the liveness probe clients use. */
import type { ApiServer } from '../server.js';
import { json } from '../server.js';
import { SERVER_PORT } from '../agent.js';

export function registerStatusRoutes(server: ApiServer, address: string): void {
  const leader = `${address.includes(':') ? `[${address}]` : address}:${SERVER_PORT}`;
  server.on('GET', '/v1/status/leader', () => json(leader));
  server.on('GET', '/v1/status/peers', () => json([leader]));
}
