// Run as a child process by auth-refresh.test.ts: one process's token refresh on a shared vault.
import path from 'node:path';
import { getFreshTokens } from '../../src/auth/refresh.js';
import { openVault } from '../../src/auth/vault.js';
import { testAdapter } from './auth-helpers.js';

const [serverUrl, home] = process.argv.slice(2) as [string, string];
const vault = await openVault({ home, env: { SYNDER_CREDENTIALS: 'file' } });
process.stdout.write('ready\n');
// Start together: wait for the parent's go.
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.pause();
const tokens = await getFreshTokens({ vault, key: 'org:1:ledger', adapter: testAdapter(serverUrl), lockDir: path.join(home, 'locks') });
process.stdout.write(JSON.stringify({ accessToken: tokens.accessToken }) + '\n');
process.exit(0);
