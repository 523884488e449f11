import { z } from 'zod';
import { StateError } from '../errors.js';

/** Which stored value is being read, for an error that lets the user find it. */
export interface Cell {
  table: string;
  row: string | number;
  column: string;
}

const HINT = 'The state database was changed outside synder or is damaged. Restore it from a backup, or move it away to start fresh (documents already in the ledger are found again by their keys).';

function damaged(at: Cell, detail: string): StateError {
  return new StateError(`The state database has a bad value in ${at.table} row ${at.row}, column ${at.column}: ${detail}.`, HINT);
}

function describe(error: z.ZodError): string {
  const first = error.issues[0];
  if (!first) return 'it does not have the expected shape';
  const where = first.path.length ? first.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : '';
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  return `${where ? `${where}: ` : ''}${first.message}${more}`;
}

/**
 * A value read back from the database, checked against what synder writes there. A mismatch is
 * the user's damaged state, not a bug: it becomes a StateError naming the table, row and column.
 */
export function parseColumn<T extends z.ZodType>(schema: T, value: unknown, at: Cell): z.output<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw damaged(at, describe(r.error));
  return r.data;
}

/** A JSON column read back and checked (see parseColumn). */
export function parseJsonColumn<T extends z.ZodType>(schema: T, text: string, at: Cell): z.output<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw damaged(at, `not valid JSON (${(err as Error).message})`);
  }
  return parseColumn(schema, value, at);
}
