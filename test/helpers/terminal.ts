import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/**
 * A real pseudo-terminal of a given size, through tmux: what a person at a terminal sees, with
 * line discipline (Ctrl+C is a signal to the foreground process, as from a keyboard).
 */

export const tmuxMissing: string | undefined = (() => {
  const r = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : 'tmux is not installed (Debian package `tmux`)';
})();

export interface Terminal {
  columns: number;
  /** Types `command` and Enter; resolves with its exit status and the screen's lines it printed (wrapped lines joined). */
  run(command: string, opts?: { timeoutMs?: number; onScreen?: (text: string) => boolean; thenKeys?: string[] }): Promise<{ code: number; lines: string[]; keysAt?: number; endedAt: number }>;
  /** The whole scroll-back, wrapped lines joined back into the lines the program wrote. */
  screen(): string;
  close(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function openTerminal(opts: { columns: number; rows?: number; env: Record<string, string | undefined>; cwd: string }): Terminal {
  const socket = `synder-test-${randomBytes(4).toString('hex')}`;
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  const env = Object.entries({ PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm-256color', PS1: '$ ', ...opts.env }).filter(([, v]) => v !== undefined) as Array<[string, string]>;
  tmux('-f', '/dev/null', 'new-session', '-d', '-s', 't', '-x', String(opts.columns), '-y', String(opts.rows ?? 40), '-c', opts.cwd, ...env.flatMap(([k, v]) => ['-e', `${k}=${v}`]), 'bash --norc --noprofile');
  tmux('set-option', '-t', 't', 'history-limit', '50000');
  const screen = (): string => tmux('capture-pane', '-p', '-J', '-S', '-', '-t', 't');
  let runs = 0;
  return {
    columns: opts.columns,
    screen,
    async run(command, o = {}) {
      const marker = `__done_${++runs}_`;
      tmux('clear-history', '-t', 't');
      tmux('send-keys', '-t', 't', `${command}; echo "${marker}$?"`, 'Enter');
      const deadline = Date.now() + (o.timeoutMs ?? 60_000);
      let keysAt: number | undefined;
      for (;;) {
        const text = screen();
        const done = text.match(new RegExp(`^${marker}(\\d+)$`, 'm'));
        if (done) {
          const endedAt = Date.now();
          const lines = text.split('\n');
          const start = lines.findIndex((l) => l.includes(`echo "${marker}`));
          const end = lines.findIndex((l) => l.startsWith(marker));
          return { code: Number(done[1]), lines: lines.slice(start + 1, end), keysAt, endedAt };
        }
        if (keysAt === undefined && o.onScreen?.(text)) {
          tmux('send-keys', '-t', 't', ...(o.thenKeys ?? []));
          keysAt = Date.now();
        }
        if (Date.now() > deadline) throw new Error(`"${command}" did not finish in time; the screen:\n${text}`);
        await sleep(50);
      }
    },
    close() {
      try {
        tmux('kill-server');
      } catch {
        // Already gone.
      }
    },
  };
}
