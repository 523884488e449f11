import { Argument, type Command } from 'commander';
import type { Context } from '../../runtime/context.js';
import { action, type ProgramDeps } from '../command.js';
import { PROVIDERS } from '../options.js';

export function registerDisconnect(program: Command, deps: ProgramDeps): void {
  program
    .command('disconnect')
    .description('Revoke and forget the tokens of a provider')
    .addArgument(new Argument('<provider>', 'tiktok, quickbooks or xero').choices(PROVIDERS))
    .option('--json', 'print the result as JSON')
    .action(action(deps, runDisconnect));
}

export async function runDisconnect(ctx: Context, _flags: { json?: boolean }, [provider]: string[]): Promise<void> {
  const { disconnect } = await import('../../onboarding/disconnect.js');
  const org = await ctx.requireOrg();
  const result = await disconnect(ctx, org, provider!);
  if (ctx.output.json) {
    ctx.output.printJson({ ok: true, ...result });
    return;
  }
  ctx.output.line(`Disconnected ${provider}: ${result.forgotten.join(', ')}${result.revoked ? ' (access revoked)' : ''}. History is kept; \`synder connect ${provider}\` reconnects.`);
  if (result.note) ctx.output.line(result.note);
}
