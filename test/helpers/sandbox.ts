import net from 'node:net';
import { startSandbox, type SandboxOptions, type RunningSandbox } from '../../src/sandbox/index.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts the in-process sandbox with a registered loopback redirect on a free port. */
export async function startTestSandbox(opts: SandboxOptions = {}): Promise<RunningSandbox & { redirectUri: string }> {
  const redirectUri = opts.redirectUri ?? `http://localhost:${await freePort()}/callback`;
  const sandbox = await startSandbox({ seed: 3, orders: 30, days: 10, ...opts, redirectUri });
  return { ...sandbox, redirectUri };
}
