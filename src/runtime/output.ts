import type { Writable } from 'node:stream';
import type { Logger } from './logger.js';
import { fitColumns, plainCell, wrapCell, wrapProse } from './table-layout.js';

export interface Streams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  stdout: Writable & { isTTY?: boolean; columns?: number; rows?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
}

export interface TableSpec {
  head: string[];
  rows: Array<Array<string | number | null | undefined>>;
  title?: string;
  /** Column indexes to right-align (amounts). */
  alignRight?: number[];
  /** Columns never narrowed to fit the terminal (ids); default the first. */
  keep?: number[];
}

/** How a terminal pages long output; `less -FRX` returns at once when it fits one screen. */
export interface PagerSpec {
  command: string;
}

/**
 * Where things are written. The command's result (tables, lines, JSON) goes to stdout whether or
 * not it is a terminal, so `> file` and `| grep` work; messages and progress go to stderr. Under
 * --json, stdout carries exactly the one JSON document and every human line goes to stderr.
 */
export class Output {
  json = false;
  private paged: string[] | undefined;

  constructor(
    private readonly streams: Streams,
    private readonly logger: Logger,
    private readonly color: boolean,
    private readonly env: Record<string, string | undefined> = {},
  ) {}

  /** Where human results go: stdout, unless stdout is reserved for the JSON document. */
  get human(): Writable {
    return this.json ? this.streams.stderr : this.streams.stdout;
  }

  /** A terminal reads the human results: tables get borders, colour and the terminal's width. */
  get terminal(): boolean {
    return Boolean((this.human as { isTTY?: boolean }).isTTY);
  }

  get colorEnabled(): boolean {
    return this.color && this.terminal;
  }

  /** The width human tables must fit: the terminal's, else $COLUMNS, else 80. */
  get width(): number {
    const tty = (this.human as { columns?: number }).columns;
    if (tty && tty > 0) return tty;
    const env = Number(this.env.COLUMNS);
    return Number.isInteger(env) && env > 0 ? env : 80;
  }

  /** A line of human text (redacted), wrapped to a terminal's width; piped, it stays one line. */
  line(text = ''): void {
    const redacted = this.logger.redact(text);
    this.write((this.terminal ? wrapProse(redacted, this.width) : redacted) + '\n');
  }

  /** Status and progress always go to stderr (wrapped when it is a terminal). */
  info(text: string): void {
    const redacted = this.logger.redact(text);
    const err = this.streams.stderr;
    this.streams.stderr.write((err.isTTY && (err.columns ?? 0) > 0 ? wrapProse(redacted, err.columns!) : redacted) + '\n');
  }

  /** The single JSON document of a `--json` run: one line for scripts and cron, indented for a person. */
  printJson(value: unknown): void {
    const tty = Boolean(this.streams.stdout.isTTY);
    this.streams.stdout.write(this.logger.redact(JSON.stringify(value, null, tty ? 2 : undefined)) + '\n');
  }

  async table(spec: TableSpec): Promise<void> {
    if (!this.terminal) {
      // Plain text a script can cut: one line per row, tab-separated, no borders or colour.
      if (spec.title) this.line(spec.title);
      this.line(spec.head.map(plainCell).join('\t'));
      for (const row of spec.rows) this.line(row.map(plainCell).join('\t'));
      return;
    }
    const { default: Table } = await import('cli-table3');
    const cells = spec.rows.map((row) => spec.head.map((_, i) => {
      const c = row[i];
      return c === null || c === undefined ? '' : String(c);
    }));
    const widths = fitColumns([spec.head, ...cells], this.width, spec.keep ?? [0]);
    const wrapped = widths ? cells.map((row) => row.map((c, i) => wrapCell(c, widths.content[i]!))) : cells;
    // Rows of one line each read best without a rule between them.
    const compact = wrapped.every((row) => row.every((c) => !c.includes('\n')));
    const table = new Table({
      head: widths ? spec.head.map((h, i) => wrapCell(h, widths.content[i]!)) : spec.head,
      style: { head: this.colorEnabled ? ['cyan'] : [], border: [], 'padding-left': widths?.padding ?? 1, 'padding-right': widths?.padding ?? 1 },
      colAligns: spec.head.map((_, i) => (spec.alignRight?.includes(i) ? 'right' : 'left')),
      ...(widths ? { colWidths: widths.content.map((w) => w + 2 * widths.padding) } : {}),
    });
    for (const row of wrapped) table.push(row);
    if (spec.title) this.line(spec.title);
    if (widths?.stacked) {
      // Even the narrowest table would not fit: one block of "Field: value" lines per row instead.
      for (const row of cells) {
        for (const [i, h] of spec.head.entries()) this.line(wrapCell(`${h}: ${row[i]!.replace(/\n/g, ' ')}`, this.width));
        this.line('');
      }
      return;
    }
    const text = table.toString();
    // The rule under the header stays; those between one-line rows go.
    let rules = 0;
    // Laid out to fit already (and coloured, which prose wrapping would miscount).
    this.write(this.logger.redact(compact ? text.split('\n').filter((l) => !l.startsWith('├') || rules++ === 0).join('\n') : text) + '\n');
  }

  /**
   * Holds human results until `endPaging`, which sends them through the pager when they are longer
   * than the terminal; piped or redirected output is never paged.
   */
  startPaging(): void {
    if (this.terminal && !this.json && this.pager()) this.paged = [];
  }

  async endPaging(): Promise<void> {
    const text = this.paged?.join('') ?? '';
    this.paged = undefined;
    if (!text) return;
    const rows = this.streams.stdout.rows ?? 24;
    const pager = this.pager();
    if (!pager || text.split('\n').length < rows) {
      this.streams.stdout.write(text);
      return;
    }
    const { spawn } = await import('node:child_process');
    await new Promise<void>((resolve) => {
      const child = spawn(pager.command, { shell: true, stdio: ['pipe', 'inherit', 'inherit'], env: { ...this.env, LESS: this.env.LESS ?? 'FRX' } });
      child.on('error', () => {
        this.streams.stdout.write(text);
        resolve();
      });
      child.on('close', () => resolve());
      // The reader quitting early (q in less) is not an error.
      child.stdin.on('error', () => undefined);
      child.stdin.end(text);
    });
  }

  /** $SYNDER_PAGER, then $PAGER, then `less -FRX`; an empty value or `cat` turns paging off. */
  private pager(): PagerSpec | undefined {
    const chosen = this.env.SYNDER_PAGER ?? this.env.PAGER ?? 'less -FRX';
    if (chosen.trim() === '' || chosen.trim() === 'cat') return undefined;
    return { command: chosen };
  }

  private write(text: string): void {
    if (this.paged && this.human === this.streams.stdout) this.paged.push(text);
    else this.human.write(text);
  }
}
