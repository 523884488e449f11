import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { StateError } from '../../src/errors.js';
import { environmentError } from '../../src/runtime/expected-errors.js';
import { Interrupt } from '../../src/runtime/interrupt.js';
import { Logger } from '../../src/runtime/logger.js';
import { Output } from '../../src/runtime/output.js';
import { progressLine, timeLeft } from '../../src/runtime/progress.js';
import { fitColumns, plainCell, wrapCell } from '../../src/runtime/table-layout.js';
import { completionScript } from '../../src/cli/completion.js';

/** The conventions of a well-behaved CLI, below the commands: tables, JSON, progress, Ctrl+C, errors. */

function sink(tty?: { columns: number }): { stream: Writable & { isTTY?: boolean; columns?: number }; text: () => string } {
  let text = '';
  const stream = new Writable({ write: (chunk, _enc, cb) => ((text += String(chunk)), cb()) }) as Writable & { isTTY?: boolean; columns?: number };
  if (tty) Object.assign(stream, { isTTY: true, columns: tty.columns });
  return { stream, text: () => text };
}

function output(tty?: { columns: number }, env: Record<string, string> = {}, color = false) {
  const stdout = sink(tty);
  const stderr = sink();
  const out = new Output({ stdin: process.stdin, stdout: stdout.stream, stderr: stderr.stream }, new Logger(stderr.stream, false), color, { PAGER: 'cat', ...env });
  return { out, stdout: stdout.text, stderr: stderr.text };
}

const widest = (text: string): number => Math.max(...text.split('\n').map((l) => [...l].length));

const longRows = Array.from({ length: 5 }, (_, i) => [
  `57600000000000022${i}\n163670000000000021${i}`,
  '2026-11-26',
  'ORDER',
  '39.20 USD',
  'synced_with_warnings',
  `SalesReceipt TA1T040PAGAA6GBKMPJ7R${i} (posted)\nPurchase TB9BMNG1N0VS6FTV6E34W${i} (posted)`,
  'the referral fee of this order was reversed by TikTok after the statement closed, so the clearing line moved',
]);

describe('tables', () => {
  it.each([80, 120, 60])('on a terminal %i columns wide no line is wider, and ids are whole', async (columns) => {
    const c = output({ columns });
    await c.out.table({ head: ['Order / transaction', 'Date', 'Type', 'Settlement', 'Status', 'Ledger documents', 'Note'], rows: longRows, alignRight: [3] });
    const text = c.stdout();
    expect(widest(text)).toBeLessThanOrEqual(columns);
    for (const row of longRows) for (const id of row[0]!.split('\n')) expect(text).toContain(id);
  });

  it('a coloured header stays on one line (colour codes take no columns)', async () => {
    const c = output({ columns: 80 }, {}, true);
    await c.out.table({ head: ['Documents', 'Created', 'Already present', 'Updated', 'Recovered', 'Failed'], rows: [['', 1, 2, 3, 4, 5]] });
    const lines = c.stdout().replace(/\u001b\[[0-9;]*m/g, '').split('\n');
    expect(lines[1]).toMatch(/^│ Documents │ Created │ Already present │ Updated │ Recovered │ Failed │$/);
  });

  it('piped, a table is tab-separated lines: a header, one line per row, no borders or colour', async () => {
    const c = output();
    await c.out.table({ title: 'Failed', head: ['What', 'Error'], rows: [['tts:1:2:sale', 'line one\nline two'], ['p:9', null]] });
    expect(c.stdout()).toBe('Failed\nWhat\tError\ntts:1:2:sale\tline one line two\np:9\t\n');
    expect(c.stderr()).toBe('');
  });

  it('narrows the widest columns first, wraps between words, and keeps the kept columns whole', () => {
    const fit = fitColumns([['id', 'text'], ['1234567890123', 'a b c d e f g h i j k l m n o p q r s t u v w x y z']], 40, [0])!;
    expect(fit.stacked).toBe(false);
    expect(fit.content[0]).toBe(13);
    // Two columns: padding on both sides of each, and three borders.
    expect(fit.content[0]! + fit.content[1]! + 2 * 2 * fit.padding + 3).toBeLessThanOrEqual(40);
    expect(wrapCell('a b c d e f', 5)).toBe('a b c\nd e f');
    expect(wrapCell('abcdefghij', 4)).toBe('abcd\nefgh\nij');
    expect(fitColumns([['a', 'b'], ['x', 'y']], 80, [0])).toBeUndefined();
  });

  it('prints each row as a block when even the narrowest table would not fit', async () => {
    const c = output({ columns: 30 });
    await c.out.table({ head: ['Id', 'Other id'], rows: [['123456789012345678901', '987654321098765432109']], keep: [0, 1] });
    expect(c.stdout()).toBe('Id: 123456789012345678901\nOther id:\n987654321098765432109\n\n');
  });

  it('plain cells carry no tabs or line breaks', () => {
    expect(plainCell('a\tb\nc')).toBe('a b c');
    expect(plainCell(null)).toBe('');
  });
});

describe('--json', () => {
  it('is one line when stdout is not a terminal, indented on one', () => {
    const piped = output();
    piped.out.json = true;
    piped.out.printJson({ ok: true, n: [1, 2] });
    expect(piped.stdout()).toBe('{"ok":true,"n":[1,2]}\n');
    const tty = output({ columns: 80 });
    tty.out.json = true;
    tty.out.printJson({ ok: true });
    expect(tty.stdout()).toBe('{\n  "ok": true\n}\n');
  });

  it('sends human lines to stderr so stdout holds the one document', () => {
    const c = output();
    c.out.json = true;
    c.out.line('Synced.');
    expect(c.stdout()).toBe('');
    expect(c.stderr()).toBe('Synced.\n');
  });
});

describe('progress without a terminal', () => {
  it('prints the status at least every heartbeat while work goes on, and phases at once', async () => {
    const err = sink();
    let t = 0;
    const line = await progressLine(err.stream, { heartbeatMs: 60, minGapMs: 20, now: () => t });
    line.log('Fetching');
    line.update('statements 1/4');
    t = 100;
    await new Promise((r) => setTimeout(r, 150));
    line.stop();
    const lines = err.text().trim().split('\n');
    expect(lines[0]).toBe('Fetching');
    expect(lines.filter((l) => l === 'statements 1/4').length).toBeGreaterThanOrEqual(1);
  });

  it('estimates the time left from the rate so far', () => {
    expect(timeLeft(10, 40, 10_000)).toBe('30s');
    expect(timeLeft(1, 121, 1_000)).toBe('2m 00s');
    expect(timeLeft(0, 10, 5_000)).toBeUndefined();
  });
});

describe('Ctrl+C', () => {
  function signals() {
    const listeners = new Map<string, Array<() => void>>();
    return {
      on: (s: string, l: () => void) => listeners.set(s, [...(listeners.get(s) ?? []), l]),
      off: (s: string, l: () => void) => listeners.set(s, (listeners.get(s) ?? []).filter((x) => x !== l)),
      send: (s: string) => (listeners.get(s) ?? []).forEach((l) => l()),
      count: () => [...listeners.values()].flat().length,
    };
  }

  it('the first signal aborts the work and says how to carry on; a second one forces the exit with 130', async () => {
    const src = signals();
    const said: string[] = [];
    const exits: number[] = [];
    const forced: string[] = [];
    const i = new Interrupt({ signals: src, exit: (c) => exits.push(c), say: (t) => said.push(t), graceMs: 10_000 }, 'the sync', 'Run `synder sync` again.');
    const signal = i.signal;
    i.onForce(() => forced.push('run closed'));
    src.send('SIGINT');
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe('Stopped the sync.');
    expect(said.join('\n')).toMatch(/Ctrl\+C again/);
    expect(exits).toEqual([]);
    await new Promise((r) => setTimeout(r, 450));
    src.send('SIGTERM');
    expect(forced).toEqual(['run closed']);
    expect(exits).toEqual([130]);
    i.dispose();
    expect(src.count()).toBe(0);
  });

  it('work that does not stop within the grace period is ended', async () => {
    const src = signals();
    const exits: number[] = [];
    const i = new Interrupt({ signals: src, exit: (c) => exits.push(c), say: () => undefined, graceMs: 30 }, 'the rollback', 'Again.');
    void i.signal;
    src.send('SIGINT');
    await new Promise((r) => setTimeout(r, 80));
    expect(exits).toEqual([130]);
    i.dispose();
  });
});

describe('expected errors', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'synder-env-'));

  it('a file where a folder should be names the file and the fix', () => {
    const file = path.join(home, 'blocker');
    fs.writeFileSync(file, 'x');
    let err: unknown;
    try {
      fs.mkdirSync(path.join(file, 'state'), { recursive: true });
    } catch (e) {
      err = e;
    }
    const expected = environmentError(err, path.join(file, 'state'));
    expect(expected).toBeInstanceOf(StateError);
    expect(expected!.message).toBe(`${file} is a file, but synder needs a folder there.`);
    expect(expected!.hint).toMatch(/SYNDER_HOME/);
  });

  it('permissions and a damaged database name the path; anything else stays a bug', () => {
    const denied = environmentError(Object.assign(new Error('EACCES: permission denied, mkdir'), { code: 'EACCES', path: '/srv/synder' }), '/srv/synder');
    expect(denied!.message).toContain('/srv/synder');
    const corrupt = environmentError(Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' }), home);
    expect(corrupt!.message).toContain(path.join(home, 'synder.db'));
    expect(corrupt!.hint).toMatch(/backup|move it away/);
    expect(environmentError(new TypeError('x is undefined'), home)).toBeUndefined();
  });
});

describe('shell completion', () => {
  const program = new Command('synder').option('--org <name>');
  program.command('export').option('--format <f>').addHelpText('after', '');
  program.commands[0]!.options[0]!.choices(['hledger', 'csv']);
  program.command('org').command('create');

  it.each(['bash', 'zsh', 'fish'] as const)('%s lists the commands, their flags and fixed choices', (shell) => {
    const script = completionScript(program, shell);
    for (const word of ['export', 'org', 'create', 'hledger', 'format']) expect(script).toContain(word);
  });
});
