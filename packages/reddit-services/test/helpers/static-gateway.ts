import { DiscoveryClient } from 'discovery-client';
import type { ServiceOptions } from 'discovery-client';
import { createGatewayApp } from '../../src/gateway/gateway-app.js';
import { createGatewayClients } from '../../src/gateway/gateway-clients.js';
import { serve } from '../../src/shared/http-server.js';
import { createLogger } from '../../src/shared/logger.js';
import type { ServiceName } from './apps.js';

export interface StaticGateway {
  url: string;
  discovery: DiscoveryClient;
  close(): Promise<void>;
}

/** The gateway in process on port 0, on the real discovery client with fixed instance lists instead of Consul. */
export async function startStaticGateway(
  instances: Record<ServiceName, Array<{ id: string; url: string }>>,
  overrides: ServiceOptions = {},
  instanceId = 'gateway-test',
): Promise<StaticGateway> {
  const discovery = new DiscoveryClient({ logger: false, static: instances });
  const clients = createGatewayClients(discovery, overrides);
  const server = await serve(createGatewayApp({ clients, instanceId, logger: createLogger('silent'), status: () => discovery.snapshot() }), 0);
  return {
    url: server.url,
    discovery,
    close: async () => {
      await server.close();
      await discovery.close();
    },
  };
}
