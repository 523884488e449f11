import { describe, expect, it } from 'vitest';
import { synder } from '../helpers/in-process.js';

/** `synder report`'s flags are checked while commander parses them, before any state is opened. */
describe('report flags', () => {
  it('refuses a month that is not YYYY-MM', async () => {
    const r = await synder(['report', '--month', '2026-13']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--month.*Use a month as YYYY-MM/s);
  });

  it('takes --month or --since/--until, not both', async () => {
    const r = await synder(['report', '--month', '2026-10', '--since', '2026-10-01']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot be used with/);
  });

  it('refuses an unknown format and a period that ends before it starts', async () => {
    expect((await synder(['report', '--format', 'xml'])).code).toBe(2);
    const r = await synder(['report', '--since', '2026-10-10', '--until', '2026-10-01']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--since must be before --until/);
  });

  it('shows examples in its help', async () => {
    const r = await synder(['report', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/synder report --month \d{4}-\d{2}/);
  });
});
