import { UsageError } from './errors.js';

const ORG_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._&'()-]{0,63}$/u;

export function validateOrgName(raw: string | undefined, flag = 'name'): string {
  const name = (raw ?? '').trim();
  if (name === '') throw new UsageError(`The organization ${flag} is empty.`, 'Give a name such as "Acme Store".');
  if (!ORG_NAME.test(name)) {
    throw new UsageError(`"${name}" is not a valid organization name.`, 'Use up to 64 letters, digits, spaces and . _ & \' ( ) -, starting with a letter or digit.');
  }
  return name;
}

let currencies: Set<string> | undefined;
export function validateCurrency(raw: string, flag = '--currency'): string {
  const code = raw.trim().toUpperCase();
  currencies ??= new Set(Intl.supportedValuesOf('currency'));
  if (!/^[A-Z]{3}$/.test(code) || !currencies.has(code)) {
    throw new UsageError(`${flag}: "${raw}" is not an ISO 4217 currency code.`, 'Use a three-letter code such as USD, GBP, EUR or JPY.');
  }
  return code;
}

let zones: Set<string> | undefined;
export function validateTimeZone(raw: string, flag = '--timezone'): string {
  const tz = raw.trim();
  zones ??= new Set([...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC']);
  if (!zones.has(tz)) {
    try {
      // Accept aliases the runtime knows even when they are not in the canonical list.
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return tz;
    } catch {
      throw new UsageError(`${flag}: "${raw}" is not an IANA time zone.`, 'Use a name such as America/New_York, Europe/London or UTC.');
    }
  }
  return tz;
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
export function validateCountry(raw: string, flag = '--country'): string {
  const code = raw.trim().toUpperCase();
  const known = /^[A-Z]{2}$/.test(code) ? regionNames.of(code) : undefined;
  if (!known || known === code) {
    throw new UsageError(`${flag}: "${raw}" is not an ISO 3166 country code.`, 'Use a two-letter code such as US, GB, MY or ID.');
  }
  return code;
}

export function validateEmail(raw: string, flag = '--email'): string {
  const email = raw.trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new UsageError(`${flag}: "${raw}" does not look like an email address.`);
  return email;
}
