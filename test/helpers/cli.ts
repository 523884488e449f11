import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const binPath = path.join(repoRoot, 'bin', 'synder.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
  cwd?: string;
}

/** A fresh SYNDER_HOME for one test. */
export function tempHome(prefix = 'synder-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Runs the built `synder` binary with no TTY, like cron or a script would. */
export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], {
      cwd: opts.cwd ?? repoRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Where the shared reference data lives (beside the clone), or undefined when it is absent. */
export function sharedDir(): string | undefined {
  const dir = process.env.SYNDER_SHARED_DIR ?? path.resolve(repoRoot, '..', 'shared');
  return fs.existsSync(dir) ? dir : undefined;
}

/**
 * Starts `synder <args> --no-browser --json` (a sign-in) and waits for the link it prints on
 * stderr that matches `link`; `done` settles when the command exits.
 */
export async function startSignIn(args: string[], env: Record<string, string>, link: RegExp, timeoutMs = 30_000): Promise<{ url: string; done: Promise<CliResult> }> {
  const child = spawn(process.execPath, [binPath, ...args, '--no-browser', '--json', '--timeout', '60'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => {
      child.stdin.end();
      resolve({ code, signal, stdout, stderr });
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')}: no sign-in link printed; stderr: ${stderr}`)), timeoutMs);
    child.on('close', () => reject(new Error(`${args.join(' ')} exited before printing a link; stderr: ${stderr}`)));
    child.stderr.on('data', () => {
      const line = stderr.split('\n').map((l) => l.trim()).find((l) => link.test(l));
      if (line) {
        clearTimeout(timer);
        resolve(line);
      }
    });
  });
  return { url, done };
}
