// Stops the cluster postgres-global-setup.js started and removes its directory.
import { rmSync } from 'node:fs';

export default async function teardown() {
  const running = globalThis.__redditPostgres;
  if (!running) return;
  try {
    await running.server.stop();
  } finally {
    rmSync(running.root, { recursive: true, force: true });
  }
}
