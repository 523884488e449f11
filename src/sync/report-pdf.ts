import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SynderError, ExitCode } from '../errors.js';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];
const KNOWN = [
  '/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable',
  '/Applications/Chromium.app/Contents/MacOS/Chromium', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

/** A Chromium or Chrome binary: SYNDER_CHROMIUM, then PATH, then the usual install places. Never downloads one. */
export function findChromium(env: Record<string, string | undefined>): string | undefined {
  if (env.SYNDER_CHROMIUM) return fs.existsSync(env.SYNDER_CHROMIUM) ? env.SYNDER_CHROMIUM : undefined;
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const name of NAMES) {
      const p = path.join(dir, name);
      if (fs.existsSync(p)) return p;
    }
  }
  return KNOWN.find((p) => fs.existsSync(p));
}

export const NO_CHROMIUM_HINT =
  'Install Chromium (Debian/Ubuntu: `sudo apt install chromium`; macOS: `brew install --cask chromium`) or Google Chrome, or point SYNDER_CHROMIUM at one; or write --format html and print it from a browser.';

/** Prints an HTML file to PDF with headless Chromium, offline. */
export async function printPdf(htmlFile: string, pdfFile: string, env: Record<string, string | undefined>): Promise<void> {
  const chromium = findChromium(env);
  if (!chromium) throw new SynderError('No Chromium or Chrome was found to print the PDF.', { hint: NO_CHROMIUM_HINT, exitCode: ExitCode.usage, code: 'no_chromium' });
  const profile = fs.mkdtempSync(path.join(path.dirname(path.resolve(pdfFile)), '.synder-chromium-'));
  const args = [
    '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--no-pdf-header-footer', '--print-to-pdf-no-header', `--user-data-dir=${profile}`, `--print-to-pdf=${path.resolve(pdfFile)}`, pathToFileURL(path.resolve(htmlFile)).toString(),
  ];
  // Chromium refuses to start its sandbox as root (containers, CI).
  if (process.getuid?.() === 0) args.unshift('--no-sandbox');
  try {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(chromium, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('error', reject);
      child.on('close', (c) => {
        clearTimeout(timer);
        resolve({ code: c, stderr });
      });
    });
    if (code !== 0 || !fs.existsSync(pdfFile)) throw new SynderError(`Chromium could not print the PDF (exit ${code}).`, { hint: stderr.trim().split('\n').slice(-3).join('\n') || undefined, code: 'pdf_failed' });
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}
