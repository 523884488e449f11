import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeQuery, signRequest, stringToSign } from '../../src/providers/tiktok/sign.js';
import { sharedDir } from '../helpers/cli.js';

describe('TikTok request signing', () => {
  it('reproduces the digest published in the "Sign your API request" doc', () => {
    const input = { appSecret: 'e59af819cc', path: '/authorization/202309/shops', query: { timestamp: '1623812664', app_key: '29a39d' } };
    expect(stringToSign(input)).toBe('e59af819cc/authorization/202309/shopsapp_key29a39dtimestamp1623812664e59af819cc');
    expect(signRequest(input)).toBe('b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8');
  });

  it('leaves sign and access_token out and appends the exact body bytes', () => {
    const base = { appSecret: 's', path: '/p', query: { b: '2', a: '1' } };
    expect(stringToSign({ ...base, query: { ...base.query, sign: 'x', access_token: 'y' } })).toBe('s/pa1b2s');
    expect(stringToSign({ ...base, body: '{"k": 1}' })).toBe('s/pa1b2{"k": 1}s');
    expect(signRequest({ ...base, body: '{"k":1}' })).not.toBe(signRequest({ ...base, body: '{"k": 1}' }));
    expect(stringToSign({ ...base, body: '{"k":1}', multipart: true })).toBe('s/pa1b2s');
  });

  it('signs raw values but percent-encodes them on the wire', () => {
    const query = { page_token: 'ab+c/d==', app_key: 'k' };
    expect(stringToSign({ appSecret: 's', path: '/p', query })).toBe('s/papp_keykpage_tokenab+c/d==s');
    expect(encodeQuery(query)).toBe('page_token=ab%2Bc%2Fd%3D%3D&app_key=k');
    expect(new URLSearchParams(encodeQuery(query)).get('page_token')).toBe('ab+c/d==');
  });
});

const dir = sharedDir();
describe.skipIf(!dir)('TikTok signing test vectors (needs ../shared reference data)', () => {
  const file = dir ? path.join(dir, 'tiktok-samples', 'sign-test-vectors.json') : '';
  const vectors = dir
    ? (JSON.parse(fs.readFileSync(file, 'utf8')) as {
        vectors: Array<{ name: string; app_secret: string; path: string; query: Record<string, string>; body: string; string_to_sign: string; expected_sign: string }>;
      }).vectors
    : [];
  it('has vectors to check', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(4);
  });
  for (const v of vectors) {
    it(`matches vector ${v.name}`, () => {
      const input = { appSecret: v.app_secret, path: v.path, query: v.query, body: v.body };
      expect(stringToSign(input)).toBe(v.string_to_sign);
      expect(signRequest(input)).toBe(v.expected_sign);
    });
  }
});
