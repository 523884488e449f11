import { UsageError } from '../errors.js';

/**
 * The one grammar of every date flag (`--since`, `--until`, `--start-date`) and date prompt: an
 * ISO date or date-time, or a relative "7d" / "12h" back from now.
 */
export function parseWhen(value: string, now: Date, flag: string): Date;
export function parseWhen(value: string | undefined, now: Date, flag: string): Date | undefined;
export function parseWhen(value: string | undefined, now: Date, flag: string): Date | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  const rel = /^(\d+)\s*([dh])$/i.exec(v);
  if (rel) return new Date(now.getTime() - Number(rel[1]) * (rel[2]!.toLowerCase() === 'd' ? 86_400_000 : 3_600_000));
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const d = new Date(`${v}T00:00:00Z`);
    if (!Number.isNaN(d.getTime()) && d.toISOString().startsWith(v)) return d;
  } else if (/^\d{4}-\d{2}-\d{2}T/.test(v)) {
    const d = new Date(v);
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new UsageError(`${flag} "${value}" is not a date (YYYY-MM-DD, an ISO date-time, or a count of days like 7d).`);
}

/** Midnight UTC of the day `d` falls on: where a sync asked for "since that day" starts reading. */
export const startOfUtcDay = (d: Date): Date => new Date(`${d.toISOString().slice(0, 10)}T00:00:00Z`);
