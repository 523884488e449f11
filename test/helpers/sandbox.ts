import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../../src/sandbox/http-kit.js';
import { sharedDir } from './cli.js';
import { startSandbox, type SandboxOptions, type RunningSandbox } from '../../src/sandbox/index.js';

export { freePort };

/** Xero's OpenAPI spec when the reference data is at hand: the fake Xero then validates every body against it. */
function xeroSpec(): string | undefined {
  const dir = sharedDir();
  const file = dir ? path.join(dir, 'xero-openapi', 'xero_accounting.yaml') : undefined;
  return file && fs.existsSync(file) ? file : undefined;
}

/** Starts the in-process sandbox with a registered loopback redirect on a free port. */
export async function startTestSandbox(opts: SandboxOptions = {}): Promise<RunningSandbox & { redirectUri: string }> {
  const redirectUri = opts.redirectUri ?? `http://localhost:${await freePort()}/callback`;
  const sandbox = await startSandbox({ seed: 3, orders: 30, days: 10, xeroOpenApi: xeroSpec(), ...opts, redirectUri });
  return { ...sandbox, redirectUri };
}
