import type { Writable } from 'node:stream';
import type { ProgressEvent } from './types.js';

/** Progress on stderr: an ora spinner on a terminal, plain lines otherwise (cron, pipes, tests). */
export async function progressReporter(stderr: Writable & { isTTY?: boolean; columns?: number }, quiet: boolean): Promise<{ event: (e: ProgressEvent) => void; stop: () => void }> {
  const text = (e: ProgressEvent): string => {
    if (e.type === 'phase') return e.message;
    if (e.type === 'fetched') return `${e.integration}: fetched ${e.count} ${e.kind}`;
    return `Posted ${e.done}/${e.total} (created ${e.created}, already there ${e.existing}, failed ${e.failed})`;
  };
  // A terminal that reports no width (a pty nobody sized) makes a spinner redraw without end.
  if (stderr.isTTY && (stderr.columns ?? 0) > 0 && !quiet) {
    const { default: ora } = await import('ora');
    const spinner = ora({ stream: stderr, text: 'Starting sync' }).start();
    return {
      event: (e) => {
        if (e.type === 'fetched') spinner.info(text(e)).start();
        else spinner.text = text(e);
      },
      stop: () => spinner.stop(),
    };
  }
  return { event: (e) => stderr.write(`${text(e)}\n`), stop: () => undefined };
}
