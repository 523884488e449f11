// Run as a child process by auth-refresh-postgres.test.ts: one host's token refresh against shared PostgreSQL state.
import { getFreshTokens } from '../../src/auth/refresh.js';
import { PostgresVault } from '../../src/auth/vault-postgres.js';
import { PostgresLockService } from '../../src/store/lock-service-postgres.js';
import { openPostgresDatabase } from '../../src/store/postgres.js';
import { testAdapter } from './auth-helpers.js';

const [serverUrl, databaseUrl, home] = process.argv.slice(2) as [string, string, string];
const db = await openPostgresDatabase(databaseUrl);
const vault = await PostgresVault.open(db, process.env);
const locks = new PostgresLockService(databaseUrl);
process.stdout.write('ready\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.pause();
const tokens = await getFreshTokens({ vault, key: 'org:1:ledger', adapter: testAdapter(serverUrl), lockDir: `${home}/locks`, locks });
process.stdout.write(JSON.stringify({ accessToken: tokens.accessToken }) + '\n');
await db.close();
process.exit(0);
