import { createHash } from 'node:crypto';
import type { DocumentKind } from './document.js';

/** Short kind tags keep keys under ~60 characters with 19-digit TikTok ids. */
const KIND_TAG: Record<DocumentKind, string> = {
  sale: 'sale', fees: 'fees', refund: 'rfnd', reserve: 'rsv', adjustment: 'adj', statement: 'stmt', payout: 'pay',
};

/** Deterministic document key: same shop + source id + kind (+ part) → same key everywhere. */
export function documentKey(shopId: string, sourceId: string, kind: DocumentKind, part?: string): string {
  return `tts:${shopId}:${sourceId}:${KIND_TAG[kind]}${part ? `:${part}` : ''}`;
}

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32: no I, L, O, U

/**
 * A stable ≤21-character id derived from a document key (QuickBooks DocNumber is limited to 21).
 * "T" + 20 base32 characters of SHA-256 = 100 bits, so collisions are not a practical concern.
 */
export function shortDocNumber(key: string): string {
  const digest = createHash('sha256').update(key).digest();
  let out = 'T';
  let acc = 0;
  let bits = 0;
  for (const byte of digest) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 21) {
      out += ALPHABET[(acc >> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
    if (out.length >= 21) break;
  }
  return out;
}
