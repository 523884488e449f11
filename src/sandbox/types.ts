import type { FaultSpec } from './faults.js';
import type { SandboxClock } from './http-kit.js';

/** Options every sandbox server understands (`synder sandbox` passes them through). */
export interface SandboxCommonOptions {
  host?: string;
  /** 0 or undefined: a free port. */
  port?: number;
  seed?: number;
  /** Skip the consent page: the authorize URL redirects back at once. */
  autoApprove?: boolean;
  faults?: FaultSpec[];
  clock?: SandboxClock;
  /**
   * Divides rate-limit windows (and Retry-After) by this factor so a benchmark against the
   * published limits finishes in reasonable time. 1 = real time.
   */
  timeScale?: number;
}

/** A running fake provider. */
export interface SandboxService {
  name: 'tiktok' | 'quickbooks' | 'xero';
  url: string;
  /** The SYNDER_* variables (endpoints and app credentials) that point synder at this server. */
  env: Record<string, string>;
  close(): Promise<void>;
}
