/** TCP ports for tests that start servers of their own. */
import { createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 now (bound, then released; a server started right after takes it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() =>
        typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new Error('no port')),
      );
    });
  });
}
