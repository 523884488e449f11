/**
 * Money as integer minor units of an ISO 4217 currency. TikTok sends decimal strings; they are
 * parsed exactly (no floating point) and a value with more precision than the currency allows
 * is an error, never silently rounded.
 */

// ISO 4217 minor units where they differ from 2.
const EXPONENTS: Record<string, number> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

export class MoneyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MoneyError';
  }
}

export function currencyExponent(currency: string): number {
  const code = currency.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(code)) throw new MoneyError(`"${currency}" is not an ISO 4217 currency code`);
  return EXPONENTS[code] ?? 2;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/**
 * Parses a decimal string ("-1.80", " 0 ", "+12", "3.") into minor units of `currency`.
 * `field` names the source in error messages.
 */
export function parseMinor(value: string | number | undefined | null, currency: string, field = 'amount'): number {
  if (value === undefined || value === null) throw new MoneyError(`${field}: missing amount`);
  if (typeof value === 'number') {
    // Numbers only arrive from our own code or lenient inputs; accept integers and exact decimals via their string form.
    if (!Number.isFinite(value)) throw new MoneyError(`${field}: ${value} is not a finite amount`);
    value = String(value);
  }
  if (typeof value !== 'string') throw new MoneyError(`${field}: expected a decimal amount, got ${typeof value}`);
  const text = value.trim();
  const m = DECIMAL.exec(text);
  if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) throw new MoneyError(`${field}: "${value}" is not a decimal amount`);
  const exp = currencyExponent(currency);
  const sign = m[1] === '-' ? -1 : 1;
  const whole = m[2] === '' ? '0' : m[2]!;
  let frac = m[3] ?? '';
  if (frac.length > exp) {
    const extra = frac.slice(exp);
    if (/[^0]/.test(extra)) throw new MoneyError(`${field}: "${value}" has more decimals than ${currency.toUpperCase()} allows (${exp})`);
    frac = frac.slice(0, exp);
  }
  const digits = (whole + frac.padEnd(exp, '0')).replace(/^0+(?=\d)/, '');
  const minor = Number(digits);
  if (!Number.isSafeInteger(minor)) throw new MoneyError(`${field}: "${value}" is too large`);
  return minor === 0 ? 0 : sign * minor;
}

/** Formats minor units as a plain decimal string: 2070 USD → "20.70", -5 JPY → "-5". */
export function formatMinor(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor)) throw new MoneyError(`${minor} is not an integer amount of minor units`);
  const exp = currencyExponent(currency);
  const negative = minor < 0;
  const digits = String(Math.abs(minor)).padStart(exp + 1, '0');
  const whole = exp === 0 ? digits : digits.slice(0, -exp);
  const frac = exp === 0 ? '' : `.${digits.slice(-exp)}`;
  return `${negative ? '-' : ''}${whole}${frac}`;
}

/** Sum that stays exact and fails loudly on overflow. */
export function sumMinor(values: Iterable<number>): number {
  let total = 0;
  for (const v of values) {
    total += v;
    if (!Number.isSafeInteger(total)) throw new MoneyError('amount overflow');
  }
  return total;
}

/**
 * Largest single amount the ledger accepts (10^14 minor units, e.g. a trillion dollars): far above
 * any real TikTok amount, and low enough that sums of many of them stay exact integers.
 */
export const MAX_AMOUNT_MINOR = 1e14;
