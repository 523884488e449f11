import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempHome } from '../helpers/cli.js';
import { synder } from '../helpers/in-process.js';

/** Help a newcomer can act on: an example for every command, the global options where they apply, completion. */

const COMMANDS = [
  'init', 'org', 'org create', 'org list', 'org use', 'org show', 'org set', 'org remove', 'connect', 'invite', 'invite tiktok', 'invite accept',
  'invite cancel', 'disconnect', 'sync', 'transactions', 'explain', 'reconcile', 'rollback', 'export', 'status', 'sandbox', 'demo', 'completion', 'report', 'map', 'map set', 'map route', 'map reset', 'map list',
];

describe('help', () => {
  it.each(COMMANDS)('`synder %s --help` shows an example and the global options', async (cmd) => {
    const r = await synder([...cmd.split(' '), '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\nExamples?:\n {2}synder /);
    expect(r.stdout).toContain('--org <name>');
    expect(r.stdout).toContain('--verbose');
    // Help is read at a terminal: no line wider than 80 columns (commander wraps its own part).
    for (const line of r.stdout.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(80);
  });

  it('no example waits for Ctrl+C: the sandbox runs in the background with its variables in a file', async () => {
    const r = await synder(['sandbox', '--help']);
    expect(r.stdout).not.toMatch(/eval "\$\(synder sandbox/);
    expect(r.stdout).toMatch(/synder sandbox --auto-approve --write-env sandbox\.env &/);
  });

  it('a replay file error points to the help, which the published package has', async () => {
    const file = path.join(tempHome(), 'shop.json');
    fs.writeFileSync(file, JSON.stringify({ shops: [] }));
    const r = await synder(['sandbox', '--tiktok-data', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('`synder sandbox --help` describes the format');
    expect(r.stderr).not.toContain('REPLAY.md');
  });
});

describe('synder completion', () => {
  it('bash: completes commands, subcommands, flags and fixed choices', async () => {
    const script = (await synder(['completion', 'bash'])).stdout;
    const complete = (words: string[]): string => {
      const r = spawnSync('bash', ['-c', `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _synder; echo "\${COMPREPLY[*]}"`], { encoding: 'utf8' });
      return r.stdout.trim();
    };
    expect(complete(['synder', 'tra'])).toBe('transactions');
    expect(complete(['synder', 'org', 'cr'])).toBe('create');
    expect(complete(['synder', 'export', '--format', ''])).toBe('hledger beancount csv');
    expect(complete(['synder', 'connect', ''])).toBe('tiktok quickbooks xero');
    expect(complete(['synder', 'sync', '--dr'])).toBe('--dry-run');
    expect(complete(['synder', 'transactions', '--or'])).toBe('--org');
  });

  it.each(['zsh', 'fish'])('%s: prints a script naming every command', async (shell) => {
    const r = await synder(['completion', shell]);
    expect(r.code).toBe(0);
    for (const cmd of ['init', 'sync', 'transactions', 'explain', 'rollback', 'completion']) expect(r.stdout).toContain(cmd);
  });

  it('refuses a shell it does not know', async () => {
    const r = await synder(['completion', 'powershell']);
    expect(r.code).toBe(2);
  });
});
