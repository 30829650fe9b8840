import net from 'node:net';
import { waitFor } from 'process-supervisor';

/** Whether something accepts a TCP connection on 127.0.0.1:`port` now. */
function accepts(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Resolves once something accepts TCP connections on `port`, rejects after `timeoutMs`. */
export async function waitForListening(port: number, timeoutMs = 10_000): Promise<void> {
  await waitFor(() => accepts(port), { timeoutMs, intervalMs: 25, what: `something to listen on 127.0.0.1:${port}` });
}
