import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parsePastedRedirect, PasteEndedError, readPastedRedirect } from '../../src/auth/paste-back.js';

describe('parsePastedRedirect', () => {
  it('reads a full URL, a query string, or one with a leading ?', () => {
    for (const text of [
      'http://localhost:8765/callback?code=c1&state=s1&realmId=77',
      '  "https://example.com/oauth/cb?code=c1&state=s1&realmId=77"  ',
      '?code=c1&state=s1&realmId=77',
      'code=c1&state=s1&realmId=77',
      '<http://localhost:8765/callback?code=c1&state=s1&realmId=77>',
    ]) {
      const p = parsePastedRedirect(text);
      expect(p?.get('code'), text).toBe('c1');
      expect(p?.get('state')).toBe('s1');
      expect(p?.get('realmId')).toBe('77');
    }
  });

  it('reads errors and refuses text without code or error', () => {
    expect(parsePastedRedirect('http://localhost/cb?error=access_denied&state=s')?.get('error')).toBe('access_denied');
    expect(parsePastedRedirect('hello')).toBeUndefined();
    expect(parsePastedRedirect('http://localhost:8765/callback')).toBeUndefined();
    expect(parsePastedRedirect('code=null&error=')).toBeUndefined();
    expect(parsePastedRedirect('')).toBeUndefined();
  });
});

describe('readPastedRedirect', () => {
  it('skips lines that are not a redirect and resolves on the first that is', async () => {
    const input = new PassThrough();
    const unrecognized: string[] = [];
    const p = readPastedRedirect({ input, expectedState: 'S', onUnrecognized: (l) => unrecognized.push(l) });
    input.write('\n  \nwhat do I paste?\nhttp://localhost:8765/cal');
    input.write('lback?code=xyz&state=S\nmore\n');
    const params = await p;
    expect(params.get('code')).toBe('xyz');
    expect(unrecognized).toEqual(['what do I paste?']);
    expect(input.listenerCount('data')).toBe(0);
    expect(input.isPaused()).toBe(true);
  });

  it('accepts a last line without a newline at end of input', async () => {
    const input = new PassThrough();
    const p = readPastedRedirect({ input, expectedState: 'S' });
    input.end('?code=q&state=S');
    expect((await p).get('code')).toBe('q');
  });

  it('rejects a wrong state', async () => {
    const input = new PassThrough();
    const p = readPastedRedirect({ input, expectedState: 'S' });
    input.write('http://localhost:8765/callback?code=xyz&state=T\n');
    await expect(p).rejects.toMatchObject({ code: 'state_mismatch' });
  });

  it('rejects a denial as cancelled', async () => {
    const input = new PassThrough();
    const p = readPastedRedirect({ input, expectedState: 'S', provider: 'tiktok' });
    input.write('http://localhost:8765/callback?code=null&error=auth_denied&state=S\n');
    await expect(p).rejects.toMatchObject({ code: 'auth_denied', exitCode: 2 });
  });

  it('reports an input that ends without an address', async () => {
    const input = new PassThrough();
    const p = readPastedRedirect({ input, expectedState: 'S' });
    input.end('nothing useful\n');
    await expect(p).rejects.toBeInstanceOf(PasteEndedError);
  });

  it('stops reading when aborted', async () => {
    const input = new PassThrough();
    const ac = new AbortController();
    const p = readPastedRedirect({ input, expectedState: 'S', signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
    expect(input.listenerCount('data')).toBe(0);
  });
});
