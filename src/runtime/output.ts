import type { Writable } from 'node:stream';
import type { Logger } from './logger.js';

export interface Streams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
}

export interface TableSpec {
  head: string[];
  rows: Array<Array<string | number | null | undefined>>;
  title?: string;
  /** Column indexes to right-align (amounts). */
  alignRight?: number[];
}

/**
 * Where things are written. Human output goes to stdout only when stdout is a terminal and
 * JSON was not asked for; otherwise to stderr, so stdout carries exactly one JSON document.
 */
export class Output {
  json = false;
  constructor(private readonly streams: Streams, private readonly logger: Logger, private readonly color: boolean) {}

  get human(): Writable {
    return !this.json && this.streams.stdout.isTTY ? this.streams.stdout : this.streams.stderr;
  }

  get colorEnabled(): boolean {
    return this.color && Boolean((this.human as { isTTY?: boolean }).isTTY);
  }

  /** A line of human text (redacted). */
  line(text = ''): void {
    this.human.write(this.logger.redact(text) + '\n');
  }

  /** Status and progress always go to stderr. */
  info(text: string): void {
    this.streams.stderr.write(this.logger.redact(text) + '\n');
  }

  /** The single JSON document of a `--json` run. */
  printJson(value: unknown): void {
    this.streams.stdout.write(this.logger.redact(JSON.stringify(value, null, 2)) + '\n');
  }

  async table(spec: TableSpec): Promise<void> {
    const { default: Table } = await import('cli-table3');
    const table = new Table({
      head: spec.head,
      style: { head: this.colorEnabled ? ['cyan'] : [], border: [] },
      colAligns: spec.head.map((_, i) => (spec.alignRight?.includes(i) ? 'right' : 'left')),
    });
    for (const row of spec.rows) table.push(row.map((c) => (c === null || c === undefined ? '' : String(c))));
    if (spec.title) this.line(spec.title);
    this.line(table.toString());
  }
}
