import { currencyExponent, formatMinor, parseMinor } from '../../booking/money.js';

/** Exact decimal helpers for the sandbox: Xero's amounts arrive as JSON numbers, we keep minor units. */

/** JSON number or string → minor units; undefined when it is not an exact amount of the currency. */
export function toMinor(value: unknown, currency: string): number | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  try {
    return parseMinor(String(value), currency);
  } catch {
    return undefined;
  }
}

export const toNumber = (minor: number, currency: string): number => Number(formatMinor(minor, currency));

function scaled(value: string): { int: bigint; scale: number } | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(value.trim());
  if (!m || (m[2] === '' && !m[3])) return undefined;
  let digits = (m[2] || '0') + (m[3] ?? '');
  let scale = (m[3] ?? '').length;
  const e = m[4] ? Number(m[4]) : 0;
  if (e > 0) {
    if (e >= scale) {
      digits += '0'.repeat(e - scale);
      scale = 0;
    } else scale -= e;
  } else scale -= e;
  return { int: BigInt((m[1] === '-' ? '-' : '') + digits), scale };
}

/**
 * Quantity × UnitAmount rounded half away from zero to the currency's minor unit, as Xero
 * rounds a LineAmount to 2 dp (exact: no floating point in between).
 */
export function lineMinor(quantity: unknown, unitAmount: unknown, currency: string): number | undefined {
  const q = scaled(String(quantity ?? 1));
  const u = scaled(String(unitAmount ?? 0));
  if (!q || !u) return undefined;
  const exp = currencyExponent(currency);
  const product = q.int * u.int;
  const scale = q.scale + u.scale;
  if (scale <= exp) return Number(product * 10n ** BigInt(exp - scale));
  const div = 10n ** BigInt(scale - exp);
  const neg = product < 0n;
  const abs = neg ? -product : product;
  let r = abs / div;
  if ((abs % div) * 2n >= div) r += 1n;
  return Number(neg ? -r : r);
}
