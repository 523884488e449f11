import type { Command } from 'commander';
import type { ProgramDeps } from '../command.js';
import { registerNotBuilt } from './not-built.js';
import { registerOrg } from './org.js';
import { registerConnect } from './connect.js';
import { registerInit } from './init.js';
import { registerSandbox } from './sandbox.js';
import { registerDemo } from './demo.js';
import { registerStatus } from './status.js';
import { registerDisconnect } from './disconnect.js';
import { registerSync } from './sync.js';

/**
 * Every public command (DESIGN.md §2). Each command file holds its options and a run function;
 * heavy modules are imported inside the run function so `synder --help` stays fast.
 */
export function registerCommands(program: Command, deps: ProgramDeps): void {
  registerInit(program, deps);
  registerOrg(program, deps);
  registerConnect(program, deps);
  registerNotBuilt(program, deps, 'invite', 'Invite the TikTok Shop account owner to authorize synder');
  registerDisconnect(program, deps);
  registerSync(program, deps);
  registerNotBuilt(program, deps, 'transactions', 'List the platform transactions synder has seen, with status');
  registerNotBuilt(program, deps, 'explain', 'Show every amount, posting and ledger document for one order');
  registerNotBuilt(program, deps, 'reconcile', 'Compare the clearing balance in the ledger with TikTok\'s unpaid settlements');
  registerNotBuilt(program, deps, 'rollback', 'Delete or void documents synder created so they can be synced again');
  registerNotBuilt(program, deps, 'export', 'Write the postings as an hledger, beancount or CSV journal');
  registerStatus(program, deps);
  registerSandbox(program, deps);
  registerDemo(program, deps);
}
