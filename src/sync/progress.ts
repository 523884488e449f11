import type { Writable } from 'node:stream';
import { count, progressLine, rate, timeLeft } from '../runtime/progress.js';
import type { ProgressEvent } from './types.js';

/**
 * A sync's progress on stderr: counts so far (never a total that later grows), the posting rate
 * and the time left, estimated from the statements read of those listed. Totals are the summary's,
 * printed once at the end.
 */
export async function progressReporter(stderr: Writable & { isTTY?: boolean; columns?: number }, quiet: boolean, now: () => number = Date.now): Promise<{ event: (e: ProgressEvent) => void; stop: () => void }> {
  const line = await progressLine(stderr, { quiet, now });
  const fetched = { statements: 0, transactions: 0, payments: 0, orders: 0 };
  let shop = '';
  let built = { documents: 0, statements: 0, statementsTotal: 0, since: 0 };
  let posted = { done: 0, failed: 0, since: 0 };

  const status = (): string => {
    const parts: string[] = [];
    if (built.statementsTotal > 0) parts.push(`statements ${count(built.statements)}/${count(built.statementsTotal)}`);
    if (fetched.transactions > 0) parts.push(`${count(fetched.transactions)} transactions`);
    if (fetched.orders > 0) parts.push(`${count(fetched.orders)} orders`);
    if (built.documents > 0) parts.push(`built ${count(built.documents)}`);
    if (posted.done > 0) {
      const r = rate(posted.done, now() - posted.since);
      parts.push(`posted ${count(posted.done)}${r ? ` (${r})` : ''}${posted.failed ? `, ${count(posted.failed)} failed` : ''}`);
    }
    const left = eta();
    if (left) parts.push(`about ${left} left`);
    return `${shop ? `${shop}: ` : ''}${parts.join(' · ') || 'working'}`;
  };

  // The slower of reading the remaining statements and posting what they will build.
  const eta = (): string | undefined => {
    const t = now();
    const reading = built.statementsTotal > built.statements ? timeLeft(built.statements, built.statementsTotal, t - built.since) : undefined;
    if (built.statements === 0 || built.statementsTotal === 0) return reading;
    const expected = Math.round((built.documents * built.statementsTotal) / built.statements);
    const posting = posted.done > 0 ? timeLeft(posted.done, expected, t - posted.since) : undefined;
    const secs = (s?: string): number => (s ? Number(s.match(/(\d+)h/)?.[1] ?? 0) * 3600 + Number(s.match(/(\d+)m/)?.[1] ?? 0) * 60 + Number(s.match(/(\d+)s/)?.[1] ?? 0) : 0);
    return secs(posting) > secs(reading) ? posting : reading;
  };

  return {
    event: (e) => {
      switch (e.type) {
        case 'phase':
          if (e.phase === 'fetch') {
            shop = e.integration ?? '';
            built = { documents: 0, statements: 0, statementsTotal: 0, since: now() };
            for (const k of Object.keys(fetched) as Array<keyof typeof fetched>) fetched[k] = 0;
          }
          if (e.phase === 'post' && posted.since === 0) posted.since = now();
          line.phase(e.message);
          break;
        case 'fetched':
          fetched[e.kind] += e.count;
          // The listings come whole, once: the rest are batches, counted as they arrive.
          if (e.kind === 'statements' || e.kind === 'payments') line.log(`${e.integration}: ${count(e.count)} ${e.kind} to read`);
          else line.update(status());
          break;
        case 'built':
          built = { ...built, documents: e.documents, statements: e.statements, statementsTotal: e.statementsTotal, since: built.since || now() };
          line.update(status());
          break;
        case 'posted':
          if (posted.since === 0) posted.since = now();
          posted = { ...posted, done: e.done, failed: e.failed };
          line.update(status());
          break;
      }
    },
    stop: () => line.stop(),
  };
}
