import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, tempHome } from '../helpers/cli.js';

/**
 * The README's "drive synder by hand" block, pasted whole into `bash -e` at the top of a fresh
 * copy of the project (the files git knows, nothing built): it installs, builds, puts `synder` on
 * PATH with `npm link`, starts the sandbox, connects, syncs and lists, and every line returns.
 *
 * `npm ci` needs the registry; unless SYNDER_TEST_FRESH_INSTALL=1, the copy gets this checkout's
 * node_modules instead and `npm ci` is a no-op (every other line runs as written). `npm link`
 * installs into a temporary prefix, so nothing outside the test's folders changes.
 */

const curl = (() => {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function readmeBlock(): string {
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const at = readme.indexOf('To drive synder by hand');
  const block = readme.slice(at).match(/```sh\n([\s\S]*?)```/);
  if (at < 0 || !block) throw new Error('the README has no by-hand block');
  return block[1]!;
}

function freshCopy(): string {
  const dir = tempHome('synder-readme-');
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: repoRoot, encoding: 'utf8' }).split('\0').filter((f) => f && !f.startsWith('node_modules/') && fs.existsSync(path.join(repoRoot, f)));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(repoRoot, f), path.join(dir, f));
  }
  return dir;
}

describe.skipIf(!curl)(`the README's by-hand block${curl ? '' : ' (skipped: curl is not installed, and it stands in for the browser)'}`, () => {
  it('runs pasted whole into bash -e and ends with a reconciled clearing account', async () => {
    const copy = freshCopy();
    const fresh = process.env.SYNDER_TEST_FRESH_INSTALL === '1';
    const bin = tempHome('synder-readme-bin-');
    if (!fresh) {
      fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(copy, 'node_modules'));
      const npm = execFileSync('bash', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim();
      fs.writeFileSync(path.join(bin, 'npm'), `#!/bin/sh\nif [ "$1" = ci ]; then echo "npm ci: using the linked node_modules"; exit 0; fi\nexec "${npm}" "$@"\n`, { mode: 0o755 });
    }
    const prefix = path.join(copy, '.npm-prefix');
    // If a line fails, the sandbox the block started in the background must not outlive the test.
    const script = `trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n${readmeBlock()}`;
    const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('bash', ['-e', '-c', script], {
        cwd: copy,
        env: {
          PATH: `${bin}:${path.join(prefix, 'bin')}:${process.env.PATH}`,
          HOME: process.env.HOME,
          NO_COLOR: '1',
          npm_config_prefix: prefix,
          npm_config_audit: 'false',
          npm_config_fund: 'false',
          SYNDER_CREDENTIALS: 'file',
          // No display here: the sandbox's consent page approves by itself, and curl follows it back.
          BROWSER: 'curl -sL -o /dev/null',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, out });
      });
    });
    expect(result.code, result.out.slice(-4000)).toBe(0);
    const tail = result.out.slice(-4000);
    expect(result.out, tail).toMatch(/QuickBooks Online is connected/);
    expect(result.out, tail).toMatch(/Synced Test Shop into quickbooks/);
    expect(result.out, tail).toContain('Clearing reconciles: no difference.');
    // `kill %1` stopped the sandbox, which took its variables file with it.
    const envFile = path.join(copy, 'sandbox.env');
    // The sandbox removes it as it exits, after bash has already returned: on a loaded machine that takes seconds.
    for (let i = 0; i < 600 && fs.existsSync(envFile); i++) await new Promise((r) => setTimeout(r, 50));
    expect(fs.existsSync(envFile), tail).toBe(false);
  }, 300_000);
});
