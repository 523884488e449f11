import type { Command } from 'commander';
import { action, type ProgramDeps } from '../command.js';

export function registerDisconnect(program: Command, deps: ProgramDeps): void {
  program
    .command('disconnect')
    .description('Revoke and forget the tokens of a provider')
    .argument('<provider>', 'tiktok, quickbooks or xero')
    .option('--json', 'print the result as JSON')
    .action(
      action<{ json?: boolean }>(deps, async (ctx, _flags, [provider]) => {
        const { disconnect } = await import('../../onboarding/disconnect.js');
        const org = await ctx.requireOrg();
        const result = await disconnect(ctx, org, provider ?? '');
        if (ctx.output.json) {
          ctx.output.printJson({ ok: true, ...result });
          return;
        }
        ctx.output.line(`Disconnected ${provider}: ${result.forgotten.join(', ')}${result.revoked ? ' (access revoked)' : ''}. History is kept; \`synder connect ${provider}\` reconnects.`);
        if (result.note) ctx.output.line(result.note);
      }),
    );
}
