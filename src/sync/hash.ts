import { createHash } from 'node:crypto';

// The same few dozen field names recur in every record: each is quoted once.
const quoted = new Map<string, string>();
const quotedKey = (k: string): string => {
  let q = quoted.get(k);
  if (q === undefined) {
    q = JSON.stringify(k);
    if (quoted.size < 10_000) quoted.set(k, q);
  }
  return q;
};

/** JSON with object keys sorted, so equal values always serialize (and hash) the same. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  // Written by concatenation, without the intermediate arrays of map/filter/join: every
  // transaction, order and document of a sync is hashed, and those arrays were most of the cost.
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + stableStringify(value[i]);
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  out = '{';
  let first = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${quotedKey(k)}:${stableStringify(v)}`;
    first = false;
  }
  return `${out}}`;
}

export const contentHash = (value: unknown): string => createHash('sha256').update(stableStringify(value)).digest('hex');
