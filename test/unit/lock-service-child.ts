// Run as a child process by lock-service.test.ts: takes a lock and holds it until killed.
import { PostgresLockService } from '../../src/store/lock-service-postgres.js';

const [url, name] = process.argv.slice(2) as [string, string];
const r = await new PostgresLockService(url).tryAcquire(name);
process.stdout.write('lock' in r ? 'held\n' : 'refused\n');
setInterval(() => {}, 60_000);
