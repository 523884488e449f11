import { UsageError } from '../errors.js';
import type { Context } from './context.js';

export interface Choice<T> {
  name: string;
  value: T;
  description?: string;
  disabled?: boolean | string;
}

/** The user chose to go back a step (the "← Back" choice, or "<" typed as an answer). */
export class BackRequested extends Error {
  constructor() {
    super('Back');
    this.name = 'BackRequested';
  }
}

const BACK = '\u0000back';
const BACK_CHOICE = { name: '← Back', value: BACK as never };

/**
 * Every question synder asks goes through here: prompts are drawn on stderr, and without a
 * terminal a missing answer is an error naming the flag that supplies it (never a hang).
 */
export class Prompter {
  /** Offer a way back to the previous question (set by the wizard while there is one). */
  canGoBack = false;
  /** Questions actually shown so far (flags answer the rest). */
  asked = 0;

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
    this.asked++;
    const back = this.canGoBack;
    const answer = await input(
      { message: opts.message, default: opts.default, validate: (v) => (back && v.trim() === '<' ? true : (opts.validate?.(v) ?? true)) },
      this.context(),
    );
    if (back && answer.trim() === '<') throw new BackRequested();
    return answer;
  }

  async secret(opts: { message: string; flag: string; value?: string }): Promise<string> {
    if (opts.value !== undefined) return opts.value;
    if (!this.interactive) this.need(opts.flag, opts.message.replace(/[?:]\s*$/, '').toLowerCase());
    const { password } = await import('@inquirer/prompts');
    this.asked++;
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
    this.asked++;
    const picked = await select<T>({ message: opts.message, choices: this.canGoBack ? [...opts.choices, BACK_CHOICE] : opts.choices, default: opts.default }, this.context());
    if ((picked as unknown) === BACK) throw new BackRequested();
    return picked;
  }

  async checkbox<T>(opts: { message: string; flag: string; choices: Array<Choice<T> & { checked?: boolean }>; value?: T[] }): Promise<T[]> {
    if (opts.value !== undefined) return opts.value;
    if (!this.interactive) {
      const checked = opts.choices.filter((c) => c.checked && !c.disabled).map((c) => c.value);
      if (checked.length > 0) return checked;
      this.need(opts.flag, opts.message.replace(/[?:]\s*$/, '').toLowerCase());
    }
    const { checkbox } = await import('@inquirer/prompts');
    this.asked++;
    const picked = await checkbox<T>({ message: opts.message, choices: this.canGoBack ? [...opts.choices, BACK_CHOICE] : opts.choices, required: true }, this.context());
    if ((picked as unknown[]).includes(BACK)) throw new BackRequested();
    return picked;
  }

  async confirm(opts: { message: string; flag: string; value?: boolean; default?: boolean }): Promise<boolean> {
    if (opts.value !== undefined) return opts.value;
    if (!this.interactive) {
      if (opts.default !== undefined) return opts.default;
      this.need(opts.flag, opts.message.replace(/[?:]\s*$/, '').toLowerCase());
    }
    const { confirm } = await import('@inquirer/prompts');
    this.asked++;
    return confirm({ message: opts.message, default: opts.default }, this.context());
  }
}
