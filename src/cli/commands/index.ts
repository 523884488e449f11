import type { Command } from 'commander';
import type { ProgramDeps } from '../command.js';
import { registerOrg } from './org.js';
import { registerConnect } from './connect.js';
import { registerInit } from './init.js';
import { registerSandbox } from './sandbox.js';
import { registerDemo } from './demo.js';
import { registerStatus } from './status.js';
import { registerDisconnect } from './disconnect.js';
import { registerInvite } from './invite.js';
import { registerSync } from './sync.js';
import { registerTransactions } from './transactions.js';
import { registerExplain } from './explain.js';
import { registerReconcile } from './reconcile.js';
import { registerRollback } from './rollback.js';
import { registerExport } from './export.js';
import { registerReport } from './report.js';
import { registerMap } from './map.js';
import { registerCompletion } from './completion.js';
import { registerWorker } from './worker.js';
import { registerSchedule } from './schedule.js';
import { registerRuns } from './runs.js';
import { registerState } from './state.js';
import { addExamples } from '../examples.js';

/**
 * Every public command. Each command file declares its options and exports its run function;
 * heavy modules are imported inside the run function so `synder --help` stays fast.
 */
export function registerCommands(program: Command, deps: ProgramDeps): void {
  registerInit(program, deps);
  registerOrg(program, deps);
  registerConnect(program, deps);
  registerInvite(program, deps);
  registerDisconnect(program, deps);
  registerSync(program, deps);
  registerTransactions(program, deps);
  registerExplain(program, deps);
  registerReconcile(program, deps);
  registerRollback(program, deps);
  registerExport(program, deps);
  registerReport(program, deps);
  registerMap(program, deps);
  registerStatus(program, deps);
  registerWorker(program, deps);
  registerSchedule(program, deps);
  registerRuns(program, deps);
  registerState(program, deps);
  registerSandbox(program, deps);
  registerDemo(program, deps);
  registerCompletion(program, deps);
  addExamples(program);
}
