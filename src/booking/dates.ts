/** Unix seconds → YYYY-MM-DD in an IANA time zone (statement dates are 00:00 UTC and shift with the zone). */
const formatters = new Map<string, Intl.DateTimeFormat>();

export function localDate(unixSeconds: number, timeZone: string): string {
  if (!Number.isFinite(unixSeconds)) throw new RangeError(`invalid timestamp ${unixSeconds}`);
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, fmt);
  }
  const parts = fmt.formatToParts(new Date(unixSeconds * 1000));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** Loose timestamps: TikTok examples send some times as strings. */
export function toUnixSeconds(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) return Number(value.trim());
  return undefined;
}
