// Run as a child process by auth-sign-in.test.ts: a no-browser sign-in on the real stdin.
import { signInWithBrowser } from '../../src/auth/browser-sign-in.js';
import { testAdapter } from './auth-helpers.js';

const [serverUrl, redirectUri] = process.argv.slice(2);
const result = await signInWithBrowser({
  adapter: testAdapter(serverUrl!),
  redirectUri: redirectUri!,
  streams: { stdin: process.stdin, stderr: process.stderr },
  noBrowser: true,
  timeoutMs: 30_000,
  interactive: false,
  env: {},
});
process.stdout.write(JSON.stringify({ via: result.via, accessToken: result.tokens.accessToken }) + '\n');
// No process.exit: the test checks that nothing is left keeping the process alive.
