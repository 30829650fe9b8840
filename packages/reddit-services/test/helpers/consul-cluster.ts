import { startDevConsul } from 'dev-consul';
import { startCluster } from '../../scripts/lib/cluster.js';
import type { Cluster } from '../../scripts/lib/cluster.js';
import { tempDir } from './apps.js';

/** A dev-consul on port 0 and a cluster of service instances registered in it, with their data in a temp dir. */
export interface ConsulCluster {
  consul: Awaited<ReturnType<typeof startDevConsul>>;
  cluster: Cluster;
  dataDir: string;
  /** Stops the instances, then Consul, and removes the data. */
  stop(): Promise<void>;
}

export async function startConsulCluster(counts: Parameters<typeof startCluster>[0]['counts']): Promise<ConsulCluster> {
  const temp = tempDir();
  const consul = await startDevConsul({ port: 0 });
  let cluster: Cluster;
  try {
    cluster = await startCluster({ consulUrl: consul.url, dataDir: temp.dir, counts });
  } catch (error) {
    await consul.close();
    temp.remove();
    throw error;
  }
  return {
    consul,
    cluster,
    dataDir: temp.dir,
    async stop() {
      await cluster.stop();
      await consul.close();
      temp.remove();
    },
  };
}
