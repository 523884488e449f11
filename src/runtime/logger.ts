import type { Writable } from 'node:stream';

/**
 * Logger that never lets a secret reach a terminal or a log file: registered secret values
 * and well-known token shapes are replaced before anything is written.
 */
export class Logger {
  private readonly secrets = new Set<string>();
  constructor(private readonly sink: Writable, readonly verbose: boolean) {}

  addSecret(value: string | undefined | null): void {
    if (value && value.length >= 6) this.secrets.add(value);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('[redacted]');
    return out
      .replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1[redacted]')
      .replace(/((?:access_token|refresh_token|app_secret|client_secret|code_verifier|password|sign)=)[^&\s"]+/gi, '$1[redacted]')
      .replace(/("(?:access_token|refresh_token|app_secret|client_secret|code_verifier|password)"\s*:\s*")[^"]*"/gi, '$1[redacted]"');
  }

  debug(message: string): void {
    if (this.verbose) this.sink.write(this.redact(`debug: ${message}`) + '\n');
  }

  warn(message: string): void {
    this.sink.write(this.redact(`warning: ${message}`) + '\n');
  }
}
