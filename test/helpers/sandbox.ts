import { freePort } from '../../src/sandbox/http-kit.js';
import { startSandbox, type SandboxOptions, type RunningSandbox } from '../../src/sandbox/index.js';

export { freePort };

/** Starts the in-process sandbox with a registered loopback redirect on a free port. */
export async function startTestSandbox(opts: SandboxOptions = {}): Promise<RunningSandbox & { redirectUri: string }> {
  const redirectUri = opts.redirectUri ?? `http://localhost:${await freePort()}/callback`;
  const sandbox = await startSandbox({ seed: 3, orders: 30, days: 10, ...opts, redirectUri });
  return { ...sandbox, redirectUri };
}
