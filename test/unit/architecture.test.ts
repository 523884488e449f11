import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { repoRoot } from '../helpers/cli.js';

/**
 * The layers (cli → onboarding → sync → providers, booking, store, auth) as rules over src,
 * the same ones `npm run lint:deps` reports: a new import that breaks one fails here, listed.
 */
async function violations(): Promise<string[]> {
  const config = (await import(pathToFileURL(path.join(repoRoot, '.dependency-cruiser.mjs')).href)).default as IConfiguration;
  const cwd = process.cwd();
  process.chdir(repoRoot);
  try {
    const result = await cruise(
      ['src'],
      { ...config.options, validate: true, ruleSet: { forbidden: config.forbidden }, outputType: 'json' },
      undefined,
      { tsConfig: extractTSConfig(path.join(repoRoot, 'tsconfig.json')) },
    );
    const output = (typeof result.output === 'string' ? JSON.parse(result.output) : result.output) as ICruiseResult;
    return output.summary.violations.map((v) => `${v.rule.name}: ${[v.from, ...(v.cycle?.map((c) => c.name) ?? [v.to])].join(' → ')}`);
  } finally {
    process.chdir(cwd);
  }
}

describe('architecture', () => {
  it('src keeps its layers: no import circles, nothing below the CLI imports it, the booking core does no I/O', async () => {
    const found = await violations();
    expect(found, `dependency rule violations:\n${found.join('\n')}`).toEqual([]);
  });
});
