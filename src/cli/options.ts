import { InvalidArgumentError, Option } from 'commander';
import type { Clock } from '../clock.js';
import { SynderError } from '../errors.js';
import { parseWhen } from '../sync/dates.js';
import { validateCurrency, validateEmail } from '../validation.js';

/**
 * Options that several commands share, validated while commander parses argv: a bad value stops
 * the run with exit 2 before any state is opened, with the same wording in every command.
 */

/** Runs a parser that throws synder's own errors as commander's, so commander names the flag. */
const parsed = <T>(fn: (value: string) => T) => (value: string): T => {
  try {
    return fn(value);
  } catch (err) {
    if (err instanceof SynderError) throw new InvalidArgumentError(err.message);
    throw err;
  }
};

export interface NumberRange {
  min: number;
  max?: number;
  /** Whole numbers only. */
  integer?: boolean;
  /** What the number counts, for the message ("hours", "seconds"). */
  unit?: string;
}

/** Parses a number in `range`, or explains the range. */
export function numberIn(range: NumberRange): (value: string) => number {
  const what = `${range.integer ? 'a whole number' : 'a number'}${range.unit ? ` of ${range.unit}` : ''}`;
  const span = range.max === undefined ? `of ${range.min} or more` : `from ${range.min} to ${range.max}`;
  return (value: string) => {
    const n = Number(value);
    const ok = value.trim() !== '' && Number.isFinite(n) && (!range.integer || Number.isInteger(n)) && n >= range.min && (range.max === undefined || n <= range.max);
    if (!ok) throw new InvalidArgumentError(`Use ${what} ${span}.`);
    return n;
  };
}

/** A number in `range` (a whole one with `integer`). */
export function numberOption(flags: string, description: string, range: NumberRange): Option {
  return new Option(flags, description).argParser(numberIn(range));
}

/** A date in the one grammar of date flags (YYYY-MM-DD, ISO date-time, 7d, 12h), resolved against the run's clock. */
export function whenOption(flags: string, description: string, clock: Clock): Option {
  const name = flags.split(/[ ,]/)[0]!;
  return new Option(flags, description).argParser((value: string) => {
    try {
      return parseWhen(value, clock.now(), name);
    } catch {
      throw new InvalidArgumentError('Use a date (YYYY-MM-DD), an ISO date-time, or a count of days or hours back such as 7d or 12h.');
    }
  });
}

/** How long a browser sign-in may take; the value is in milliseconds. */
export function timeoutOption(description: string): Option {
  const seconds = numberIn({ min: 1, max: 86_400, unit: 'seconds' });
  return new Option('--timeout <seconds>', description).default(300_000, '300').argParser((value: string) => Math.round(seconds(value) * 1000));
}

/** A comma-separated list of `choices` (blanks dropped), refused the way commander refuses one value outside `.choices()`. */
export function choiceList<T extends string>(choices: readonly T[]): (value: string) => T[] {
  return (value: string) => {
    const items = value.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = items.filter((s) => !(choices as readonly string[]).includes(s));
    if (unknown.length) throw new InvalidArgumentError(`Unknown: ${unknown.join(', ')}. Allowed choices are ${choices.join(', ')}.`);
    return items as T[];
  };
}

export const SYNC_MODES = ['per-transaction', 'summary'] as const;
export const LEDGERS = ['quickbooks', 'xero'] as const;
export const PROVIDERS = ['tiktok', 'quickbooks', 'xero'] as const;

export const modeOption = (description: string): Option => new Option('--mode <mode>', description).choices(SYNC_MODES);

/** An ISO 4217 code, upper-cased. */
export const currencyCode = parsed((value) => validateCurrency(value));

/** An email address, trimmed. */
export function emailAddress(value: string): string {
  try {
    return validateEmail(value);
  } catch {
    throw new InvalidArgumentError('Use an email address such as owner@example.com.');
  }
}
