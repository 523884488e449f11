import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/sandbox/http-kit.js';

/**
 * A PostgreSQL server for one test or benchmark run: an external one named by `externalVar`
 * (SYNDER_TEST_DATABASE_URL for tests), or a throwaway cluster. The benchmark imports this file too.
 */
export type PostgresServer = { url: string; stop(): void } | { skip: string };

function findBinDir(): string | undefined {
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return path.dirname(fs.realpathSync(onPath));
  // Debian keeps the server programs out of PATH, one folder per major version.
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const versions = fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] && path.join(root, versions[0], 'bin');
}


/**
 * Starts a cluster in a temporary folder, listening on a loopback port, with trust authentication
 * and no fsync (it lives for one test run). PostgreSQL refuses to run as root, so under root it runs
 * as the `postgres` system user that Debian's package creates.
 */
export async function startPostgres(externalVar = 'SYNDER_TEST_DATABASE_URL'): Promise<PostgresServer> {
  const external = process.env[externalVar];
  if (external) return { url: external, stop: () => {} };
  const bin = findBinDir();
  if (!bin) return { skip: `no PostgreSQL server programs (initdb) here: install Debian's "postgresql" package or set ${externalVar}` };
  const asRoot = process.getuid?.() === 0;
  let user: { uid: number; gid: number } | undefined;
  if (asRoot) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (id.status !== 0) return { skip: 'running as root and there is no "postgres" user to run the server as' };
    user = { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synder-pg-'));
  const data = path.join(dir, 'data');
  if (user) fs.chownSync(dir, user.uid, user.gid);
  const run = (program: string, args: string[]) =>
    execFileSync(path.join(bin, program), args, { stdio: ['ignore', 'pipe', 'pipe'], uid: user?.uid, gid: user?.gid, cwd: dir, env: { ...process.env, LC_ALL: 'C' } });
  const port = await freePort();
  try {
    run('initdb', ['-D', data, '-U', 'synder', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C']);
    const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`;
    run('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    const log = fs.existsSync(path.join(dir, 'server.log')) ? fs.readFileSync(path.join(dir, 'server.log'), 'utf8').slice(-2000) : '';
    fs.rmSync(dir, { recursive: true, force: true });
    return { skip: `could not start a throwaway PostgreSQL: ${(e.stderr?.toString() || e.message).trim()} ${log}`.trim() };
  }
  return {
    url: `postgres://synder@127.0.0.1:${port}/postgres`,
    stop: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
