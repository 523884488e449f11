import { SynderError } from '../errors.js';
import { cancelledError } from './loopback.js';
import { judgeCallback } from './callback.js';

/**
 * Reads what the user pasted: the full address the browser landed on, or just its query
 * string (with or without the leading "?"). Returns undefined when it carries neither a code
 * nor an error.
 */
export function parsePastedRedirect(text: string): URLSearchParams | undefined {
  let s = text.trim().replace(/^[<"'`]+|[>"'`]+$/g, '').trim();
  if (s === '') return undefined;
  let params: URLSearchParams;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) {
    try {
      const u = new URL(s);
      params = new URLSearchParams(u.search);
      // Some providers put the answer in the fragment.
      if (!params.has('code') && !params.has('error') && u.hash.length > 1) params = new URLSearchParams(u.hash.slice(1));
    } catch {
      return undefined;
    }
  } else {
    const q = s.indexOf('?');
    if (q >= 0) s = s.slice(q + 1);
    params = new URLSearchParams(s.replace(/^#/, ''));
  }
  const code = params.get('code');
  if ((code === null || code === '' || code === 'null') && !params.get('error')) return undefined;
  return params;
}

export interface PasteBackOptions {
  input: NodeJS.ReadableStream;
  expectedState: string;
  provider?: string;
  signal?: AbortSignal;
  /** Told about lines that are not a redirect address, so the user can try again. */
  onUnrecognized?: (line: string) => void;
}

/** Raised when the input ends without a pasted address (e.g. stdin is /dev/null under cron). */
export class PasteEndedError extends SynderError {
  constructor() {
    super('Input ended before the address the browser landed on was pasted.', {
      code: 'paste_ended',
      hint: 'Run the command in a terminal and paste the full address from the browser after approving, or pipe it in on stdin.',
    });
  }
}

/**
 * Reads lines from `input` until one parses as a redirect, then checks its state. Detaches
 * from the stream and pauses it when done or aborted, so nothing keeps the process alive.
 */
export function readPastedRedirect(opts: PasteBackOptions): Promise<URLSearchParams> {
  const { input } = opts;
  return new Promise<URLSearchParams>((resolve, reject) => {
    let buffer = '';
    let finished = false;
    const cleanup = () => {
      finished = true;
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', onError);
      opts.signal?.removeEventListener('abort', onAbort);
      // process.stdin stops reading its handle one tick after a 'pause' event, which lets the
      // process exit. Pausing inside a 'data' event is undone by the stream topping up its
      // buffer right after, so announce the pause again once that has happened.
      input.pause();
      setImmediate(() => {
        if (input.listenerCount('data') === 0 && (input as { readableFlowing?: boolean | null }).readableFlowing === false) input.emit('pause');
      });
    };
    const handleLine = (line: string): boolean => {
      if (line.trim() === '') return false;
      const params = parsePastedRedirect(line);
      if (!params) {
        opts.onUnrecognized?.(line);
        return false;
      }
      const verdict = judgeCallback(params, opts.expectedState, opts.provider);
      if (verdict.kind === 'ignore') return false;
      cleanup();
      if (verdict.kind === 'fail') reject(verdict.error);
      else resolve(params);
      return true;
    };
    const onData = (chunk: Buffer | string) => {
      buffer += chunk.toString();
      let nl: number;
      while (!finished && (nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (handleLine(line)) return;
      }
    };
    const onEnd = () => {
      if (finished) return;
      if (handleLine(buffer)) return;
      cleanup();
      reject(new PasteEndedError());
    };
    const onError = (err: Error) => {
      if (finished) return;
      cleanup();
      reject(new SynderError(`Could not read the pasted address: ${err.message}`, { code: 'paste_failed' }));
    };
    const onAbort = () => {
      if (finished) return;
      cleanup();
      reject(cancelledError());
    };
    if (opts.signal?.aborted) return onAbort();
    input.on('data', onData);
    input.once('end', onEnd);
    input.once('error', onError);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    input.resume();
  });
}
