import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastTimer } from '../../src/clock.js';
import { HttpClient } from '../../src/providers/http.js';

let server: http.Server;
let base = '';
const seen: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(`arrived ${req.url ?? ''}`);
    res.setHeader('content-type', 'application/json');
    const answer = () => {
      seen.push(`answered ${req.url ?? ''}`);
      res.end('{}');
    };
    if (req.url === '/slow') setTimeout(answer, 100);
    else answer();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('HttpClient rate windows', () => {
  it('a per-endpoint window holds back only its own requests; the others pass at once', async () => {
    let now = 0;
    const client = new HttpClient({
      provider: 'test',
      limits: [
        { requests: 2, windowMs: 1000, applies: (req) => /\/batch(\?|$)/.test(req.url) },
        { requests: 100, windowMs: 1000 },
      ],
      timer: {
        now: () => new Date(now),
        sleep: async (ms) => {
          now += ms;
        },
        fromWall: (ms) => ms,
      },
    });
    const at: Record<string, number> = {};
    const call = async (name: string, path: string) => {
      await client.request({ method: 'POST', url: `${base}${path}`, body: '{}' });
      at[name] = now;
    };
    await call('batch1', '/v3/company/1/batch?requestid=a');
    await call('batch2', '/v3/company/1/batch?requestid=b');
    await call('query1', '/v3/company/1/query?query=x');
    await call('query2', '/v3/company/1/batchelor');
    await call('batch3', '/v3/company/1/batch');
    expect(at).toMatchObject({ batch1: 0, batch2: 0, query1: 0, query2: 0 });
    // The third batch waits out the window plus 50 ms for network jitter.
    expect(at.batch3).toBeGreaterThanOrEqual(1050);
    expect(at.batch3).toBeLessThan(1100);
    expect(client.calls).toBe(5);
  });

  it('a request in flight holds its slot until answered, and counts from the answer (the server saw it arrive in between)', async () => {
    let now = 0;
    const client = new HttpClient({
      provider: 'test',
      concurrency: 2,
      limits: [{ requests: 1, windowMs: 1000 }],
      timer: {
        now: () => new Date(now),
        sleep: async (ms) => {
          now += ms;
        },
        fromWall: (ms) => ms,
      },
    });
    seen.length = 0;
    await Promise.all([client.request({ method: 'GET', url: `${base}/slow` }), client.request({ method: 'GET', url: `${base}/next` })]);
    expect(seen).toEqual(['arrived /slow', 'answered /slow', 'arrived /next', 'answered /next']);
    expect(now).toBeGreaterThanOrEqual(1050);
  });
});

describe('a fast timer', () => {
  it('compresses the windows a client keeps, and waits wall time where the server measures it', async () => {
    const timer = fastTimer(100);
    expect(timer.fromWall(50)).toBe(5000);
    const client = new HttpClient({ provider: 'test', limits: [{ requests: 1, windowMs: 1000 }], timer });
    const started = Date.now();
    for (let i = 0; i < 3; i++) await client.request({ method: 'GET', url: `${base}/next` });
    // Two waits of a 1 s window (+ 50 ms wall jitter each) at 100×: about 120 ms, far below 2 s.
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(110);
    expect(took).toBeLessThan(1000);
  });
});
