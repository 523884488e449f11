import { createHash } from 'node:crypto';
import { shortDocNumber } from '../../booking/keys.js';

/**
 * How a synder document key becomes QuickBooks identifiers. QBO caps DocNumber at 21 chars
 * and requestid at 50 (36 for a batch), so keys are hashed; the full key always goes into
 * PrivateNote, which is what proves a found object is ours.
 */

/** The booking core's stable ≤21-char id for a key ("T" + 20 base-32 chars of SHA-256). */
export { shortDocNumber };

/** Deterministic requestid (32 hex chars: fits both the 50-char and the 36-char batch limit). */
export function requestIdFor(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000'), 'utf8').digest('hex').slice(0, 32);
}

const KEY_MARK = 'synder key: ';
const PRIVATE_NOTE_MAX = 4000;

/** PrivateNote: the memo, then the full key on its own line (kept even when the memo is cut). */
export function privateNote(memo: string, key: string): string {
  const tail = `${KEY_MARK}${key}`;
  const room = PRIVATE_NOTE_MAX - tail.length - 1;
  const head = memo.length > room ? `${memo.slice(0, Math.max(0, room - 1))}…` : memo;
  return head === '' ? tail : `${head}\n${tail}`;
}

/** The key a PrivateNote carries, if synder wrote it. */
export function keyFromPrivateNote(note: string | undefined): string | undefined {
  if (!note) return undefined;
  const at = note.lastIndexOf(KEY_MARK);
  if (at < 0) return undefined;
  return note.slice(at + KEY_MARK.length).split('\n')[0]!.trim();
}
