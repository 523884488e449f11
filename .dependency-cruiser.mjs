/**
 * The layers, one way down: cli → queue, onboarding → sync → providers, booking, store, auth (with
 * the run-time context beneath the queue, onboarding and sync). test/unit/architecture.test.ts runs these rules
 * over src, so `npm test` fails on a violation; `npm run lint:deps` prints the same report.
 */
const IO_BUILTINS = '^(node:)?(fs|fs/promises|net|http|https|http2|child_process|dgram|dns|dns/promises|tls|cluster|worker_threads|readline|readline/promises|repl|inspector|os)$';

export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import circle ties its modules into one; break it by moving what both need below them.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'cli-is-the-top',
      severity: 'error',
      comment: 'Only the CLI may import the CLI: everything below runs without commander or argv.',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'booking-is-pure',
      severity: 'error',
      comment: 'The booking core turns TikTok data into documents and does no I/O of its own.',
      from: { path: '^src/booking/' },
      to: { path: ['^src/(store|providers|sync|auth|cli|onboarding|sandbox|runtime)/', IO_BUILTINS] },
    },
    {
      name: 'foundations-stay-below-sync',
      severity: 'error',
      comment: 'Providers, store, auth and booking are used by the run-time context, sync, onboarding and the CLI, never the reverse.',
      from: { path: '^src/(providers|store|auth|booking)/' },
      to: { path: '^src/(runtime|sync|onboarding|queue|cli)/' },
    },
    {
      name: 'sync-below-onboarding',
      severity: 'error',
      comment: 'Onboarding runs syncs; a sync never reaches back into onboarding.',
      from: { path: '^src/sync/' },
      to: { path: '^src/(onboarding|queue)/' },
    },
    {
      name: 'queue-above-sync',
      severity: 'error',
      comment: 'The job queue runs syncs for workers and commands; only the CLI drives it, and it drives no onboarding.',
      from: { path: '^src/', pathNot: '^src/(cli|queue)/' },
      to: { path: '^src/queue/' },
    },
    {
      name: 'queue-runs-syncs-not-onboarding',
      severity: 'error',
      comment: 'A queued job is a sync of an org already set up; setting one up is the CLI\'s and onboarding\'s.',
      from: { path: '^src/queue/' },
      to: { path: '^src/(onboarding|cli)/' },
    },
    {
      name: 'runtime-below-sync',
      severity: 'error',
      comment: 'The run-time context (config, store, vault, output, prompts) sits beneath sync and onboarding.',
      from: { path: '^src/runtime/' },
      to: { path: '^src/(sync|onboarding|queue|cli)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|test)/' },
    // Type-only imports are dependencies too: a circle through types still ties modules together.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
