import { startDevConsul } from 'dev-consul';
import { startCluster } from '../../scripts/lib/cluster.js';
import type { Cluster } from '../../scripts/lib/cluster.js';
import { createStorage } from '../../scripts/lib/storage.js';
import type { Engine, Storage } from '../../scripts/lib/storage.js';

/** A dev-consul on port 0 and a cluster of service instances registered in it, with their data on the engine asked for. */
export interface ConsulCluster {
  consul: Awaited<ReturnType<typeof startDevConsul>>;
  cluster: Cluster;
  storage: Storage;
  dataDir: string;
  /** Stops the instances, then Consul, and removes the data. */
  stop(): Promise<void>;
}

export async function startConsulCluster(counts: Parameters<typeof startCluster>[0]['counts'], engine: Engine = 'sqlite'): Promise<ConsulCluster> {
  const storage = await createStorage(engine);
  const consul = await startDevConsul({ port: 0 });
  let cluster: Cluster;
  try {
    cluster = await startCluster({ consulUrl: consul.url, dataDir: storage.dataDir, counts, env: storage.env });
  } catch (error) {
    await consul.close();
    await storage.remove();
    throw error;
  }
  return {
    consul,
    cluster,
    storage,
    dataDir: storage.dataDir,
    async stop() {
      await cluster.stop();
      await consul.close();
      await storage.remove();
    },
  };
}
