import type { Command } from 'commander';

/**
 * At least one example per command, shown at the end of its --help. Every example returns on its
 * own (none waits for Ctrl+C), so it can be pasted as it is.
 */
const EXAMPLES: Record<string, string[]> = {
  org: ['synder org list', 'synder org create "Acme Store" --currency USD --timezone America/New_York'],
  'org create': ['synder org create "Acme Store" --currency USD --timezone America/New_York'],
  'org list': ['synder org list', 'synder org list --json'],
  'org use': ['synder org use "Acme Store"'],
  'org show': ['synder org show', 'synder org show "Acme Store" --json'],
  'org set': ['synder org set --mode summary', 'synder org set --mf-tax gross'],
  'org remove': ['synder org remove "Old Shop" --yes'],
  connect: ['synder connect quickbooks --mode summary --bank-account "Business Checking"', 'synder connect tiktok --no-browser'],
  invite: ['synder invite tiktok --email owner@acme.test', 'synder invite accept "http://localhost:8765/callback?code=…&state=…"'],
  'invite tiktok': ['synder invite tiktok --email owner@acme.test --expires 72'],
  'invite accept': ['synder invite accept "http://localhost:8765/callback?code=…&state=…"'],
  'invite cancel': ['synder invite cancel 3'],
  disconnect: ['synder disconnect xero'],
  sync: [
    'synder sync',
    'synder sync --since 2026-01-01 --dry-run',
    'synder sync --json >> synder.jsonl    # one JSON line per run',
    'synder sync --enqueue --org "Acme Store"  # a worker runs it',
  ],
  worker: ['synder worker --concurrency 8', 'synder worker --once    # run what is queued, then exit'],
  schedule: ['synder schedule add --org "Acme Store" --every 1h', 'synder schedule list'],
  'schedule add': ['synder schedule add --org "Acme Store" --every 30m', "synder schedule add --org \"Acme Store\" --cron '15 6 * * 1-5'"],
  'schedule list': ['synder schedule list', 'synder schedule list --json'],
  'schedule remove': ['synder schedule remove --org "Acme Store"'],
  runs: ['synder runs', 'synder runs --org "Acme Store" --state failed', 'synder runs --json | jq \'.[0].summary.documents\''],
  explain: ['synder explain 576460752303423001', 'synder explain 576460752303423001 --json | jq .transactions[0].checks'],
  reconcile: ['synder reconcile', 'synder reconcile --json | jq .reconciles'],
  rollback: ['synder rollback 576460752303423001', 'synder rollback --run 12', 'synder rollback --since 2026-10-01'],
  export: ['synder export --format hledger > books.journal', 'hledger -f books.journal check        # what an auditor runs', 'synder export --format csv --since 30d | head'],
  status: ['synder status', 'synder status --check', 'synder status --json'],
  report: [
    'synder report --month 2026-10          # synder-report-<org>-2026-10.html',
    'synder report --month 2026-10 --format pdf --output october.pdf',
    'synder report --since 2026-10-01 --until 2026-10-16 --format csv > half.csv',
  ],
  map: ['synder map', 'synder map set marketplace_fees --account 6100', 'synder map route fee_tax_breakdown.fee.new_fee_amount marketplace_fees'],
  'map list': ['synder map list', 'synder map list --offline --json'],
  'map set': [
    'synder map set marketplace_fees --account 6100    # an existing account',
    'synder map set marketplace_fees --tax "20.0% S"   # input VAT on fees',
    'synder map set sales --tax "0.0% Z" --marketplace-vat',
  ],
  'map route': ['synder map route fee_tax_breakdown.fee.new_fee_amount marketplace_fees'],
  'map reset': ['synder map reset marketplace_fees', 'synder map reset'],
  sandbox: [
    'synder sandbox --auto-approve --write-env sandbox.env &  # in the background',
    'until [ -s sandbox.env ]; do sleep 0.2; done   # written whole once it listens',
    'set -a; . ./sandbox.env; set +a                # point synder at it',
    'kill %1                                        # stop it (removes sandbox.env)',
  ],
  state: ['synder state copy --to postgres://synder@db.example/synder'],
  'state copy': [
    'synder state copy --to postgres://synder@db.example/synder',
    'synder state copy --to "$SYNDER_DATABASE_URL" --json | jq .ok',
  ],
  demo: ['synder demo', 'synder demo --ledger xero --mode summary --orders 200'],
  completion: ['synder completion bash > ~/.local/share/bash-completion/completions/synder', 'synder completion zsh > "${fpath[1]}/_synder"', 'synder completion fish > ~/.config/fish/completions/synder.fish'],
};

/** The command's words after `synder`, e.g. "org create". */
export const commandPath = (cmd: Command): string => {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
};

/** Adds the examples to every command that has none of its own yet. */
export function addExamples(program: Command): void {
  const walk = (cmd: Command): void => {
    for (const sub of cmd.commands) {
      const lines = EXAMPLES[commandPath(sub)];
      if (lines && !ownExamples.has(commandPath(sub))) sub.addHelpText('after', `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}`);
      walk(sub);
    }
  };
  walk(program);
}

/** Commands whose own help text already ends in examples. */
const ownExamples = new Set(['init', 'transactions']);

export const exampleCommands = (): string[] => Object.keys(EXAMPLES);
