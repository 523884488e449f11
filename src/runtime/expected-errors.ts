import fs from 'node:fs';
import path from 'node:path';
import { StateError, SynderError } from '../errors.js';

/**
 * Failures that come from the user's machine rather than from synder — a folder it may not write,
 * a file where a folder should be, a full disk, a damaged database — as errors that name the path
 * and the fix. Anything else stays unexplained, and is reported as a bug.
 */
export function environmentError(err: unknown, home: string): SynderError | undefined {
  if (err instanceof SynderError || typeof err !== 'object' || err === null) return undefined;
  const e = err as NodeJS.ErrnoException & { code?: string };
  const code = typeof e.code === 'string' ? e.code : '';
  const database = path.join(home, 'synder.db');
  const moveAway = `move it away (mv "${database}" "${database}.damaged") to start fresh: documents already in the ledger are found again by their numbers`;

  if (code.startsWith('SQLITE_')) {
    if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'))
      return new StateError(`The state database ${database} is damaged (${e.message}).`, `Restore it from a backup, or ${moveAway}.`);
    if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH')
      return new StateError(`synder cannot write its state database ${database} (${e.message}).`, `Give your user write access to ${home} and the files in it, or point SYNDER_HOME at a folder you own.`);
    if (code === 'SQLITE_FULL') return new StateError(`The disk holding ${database} is full.`, 'Free some space and run the command again.');
    if (code.startsWith('SQLITE_IOERR')) return new StateError(`Reading or writing ${database} failed (${e.message}).`, `Check the disk and the folder ${home}; if the file is damaged, ${moveAway}.`);
    return undefined;
  }

  const where = typeof e.path === 'string' ? e.path : home;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return new StateError(`synder may not read or write ${where} (permission denied).`, `Give your user access to it (for example \`chmod u+rwX "${where}"\`), or point SYNDER_HOME at a folder you own.`);
    case 'ENOTDIR':
    case 'EEXIST': {
      const blocker = fileInTheWay(where) ?? where;
      return new StateError(`${blocker} is a file, but synder needs a folder there.`, `Move the file away, or point SYNDER_HOME at another folder.`);
    }
    case 'EISDIR':
      return new StateError(`${where} is a folder, but synder needs a file there.`, 'Move the folder away and run the command again.');
    case 'ENOSPC':
      return new StateError(`The disk holding ${where} is full.`, 'Free some space and run the command again.');
    case 'EROFS':
      return new StateError(`${where} is on a read-only file system.`, 'Point SYNDER_HOME at a folder you can write.');
    default:
      return undefined;
  }
}

/** The nearest ancestor of `p` (or `p` itself) that exists and is not a folder. */
function fileInTheWay(p: string): string | undefined {
  for (let cur = path.resolve(p); ; cur = path.dirname(cur)) {
    try {
      if (!fs.statSync(cur).isDirectory()) return cur;
    } catch {
      // Does not exist or cannot be read: look further up.
    }
    if (path.dirname(cur) === cur) return undefined;
  }
}
