import { UsageError } from '../errors.js';
import type { Context } from './context.js';

export interface Choice<T> {
  name: string;
  value: T;
  description?: string;
  disabled?: boolean | string;
}

/**
 * Every question synder asks goes through here: prompts are drawn on stderr, and without a
 * terminal a missing answer is an error naming the flag that supplies it (never a hang).
 */
export class Prompter {
  constructor(private readonly ctx: Context, private readonly opts: { allowPrompts?: boolean } = {}) {}

  /** Prompts need a terminal, and `--no-input` turns them off even in one. */
  get interactive(): boolean {
    return this.ctx.interactive && this.opts.allowPrompts !== false;
  }

  private context() {
    return { input: this.ctx.streams.stdin, output: this.ctx.streams.stderr, clearPromptOnDone: false };
  }

  private need(flag: string, what: string): never {
    throw new UsageError(`Missing ${what}: pass ${flag}.`, 'synder only asks questions in a terminal; in scripts and cron give every answer as a flag.');
  }

  async text(opts: { message: string; flag: string; value?: string; default?: string; validate?: (v: string) => string | true }): Promise<string> {
    if (opts.value !== undefined) {
      const verdict = opts.validate?.(opts.value) ?? true;
      if (verdict !== true) throw new UsageError(`${opts.flag}: ${verdict}`);
      return opts.value;
    }
    if (!this.interactive) {
      if (opts.default !== undefined) return opts.default;
      this.need(opts.flag, opts.message.replace(/[?:]\s*$/, '').toLowerCase());
    }
    const { input } = await import('@inquirer/prompts');
    return input({ message: opts.message, default: opts.default, validate: opts.validate }, this.context());
  }

  async secret(opts: { message: string; flag: string; value?: string }): Promise<string> {
    if (opts.value !== undefined) return opts.value;
    if (!this.interactive) this.need(opts.flag, opts.message.replace(/[?:]\s*$/, '').toLowerCase());
    const { password } = await import('@inquirer/prompts');
    return password({ message: opts.message, mask: '*', validate: (v) => (v.trim() === '' ? 'Required' : true) }, this.context());
  }

  async select<T>(opts: { message: string; flag: string; choices: Array<Choice<T>>; value?: T; default?: T }): Promise<T> {
    if (opts.value !== undefined) return opts.value;
    const enabled = opts.choices.filter((c) => !c.disabled);
    if (enabled.length === 1 && !this.interactive) return enabled[0]!.value;
    if (!this.interactive) {
      if (opts.default !== undefined) return opts.default;
      this.need(opts.flag, opts.message.replace(/[?:]\s*$/, '').toLowerCase());
    }
    const { select } = await import('@inquirer/prompts');
    return select<T>({ message: opts.message, choices: opts.choices, default: opts.default }, this.context());
  }

  async checkbox<T>(opts: { message: string; flag: string; choices: Array<Choice<T> & { checked?: boolean }>; value?: T[] }): Promise<T[]> {
    if (opts.value !== undefined) return opts.value;
    if (!this.interactive) {
      const checked = opts.choices.filter((c) => c.checked && !c.disabled).map((c) => c.value);
      if (checked.length > 0) return checked;
      this.need(opts.flag, opts.message.replace(/[?:]\s*$/, '').toLowerCase());
    }
    const { checkbox } = await import('@inquirer/prompts');
    return checkbox<T>({ message: opts.message, choices: opts.choices, required: true }, this.context());
  }

  async confirm(opts: { message: string; flag: string; value?: boolean; default?: boolean }): Promise<boolean> {
    if (opts.value !== undefined) return opts.value;
    if (!this.interactive) {
      if (opts.default !== undefined) return opts.default;
      this.need(opts.flag, opts.message.replace(/[?:]\s*$/, '').toLowerCase());
    }
    const { confirm } = await import('@inquirer/prompts');
    return confirm({ message: opts.message, default: opts.default }, this.context());
  }
}
