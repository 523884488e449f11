import { describe, expect, it } from 'vitest';
import { tempHome } from '../helpers/cli.js';
import { synder } from '../helpers/in-process.js';

describe('sync commands without a connected ledger', () => {
  it('say what to connect, reject bad flags, and report unknown orders', async () => {
    const env = { SYNDER_HOME: tempHome(), SYNDER_CREDENTIALS: 'file' };
    expect((await synder(['org', 'create', 'Acme', '--currency', 'USD'], { env })).code).toBe(0);

    let r = await synder(['sync', '--json'], { env });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'usage' } });
    expect(r.stderr).toContain('synder connect quickbooks');

    r = await synder(['sync', '--since', 'last tuesday'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--since');

    r = await synder(['transactions', '--json'], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ org: 'Acme', transactions: [] });

    r = await synder(['transactions', '--status', 'bogus'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bogus');

    r = await synder(['explain', '5760000001', '--json'], { env });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.message).toContain('No TikTok order, transaction, statement or payout 5760000001');

    r = await synder(['export', '--format', 'xml'], { env });
    expect(r.code).toBe(2);
    r = await synder(['export', '--format', 'csv'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toContain('document_key');

    r = await synder(['rollback'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--run');
  });
});
