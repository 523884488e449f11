import { SynderError } from '../../errors.js';

/** One entry of a QBO Fault body (`Fault.Error[]`, or lower-case keys on 401s). */
export interface QboFaultError {
  message: string;
  detail?: string;
  code: string;
  element?: string;
}

export interface QboFault {
  type: string;
  errors: QboFaultError[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

/** Reads a Fault from a parsed body whatever its key casing; undefined when there is none. */
export function parseFault(body: unknown): QboFault | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const rec = body as Record<string, unknown>;
  const fault = (rec.Fault ?? rec.fault) as Record<string, unknown> | undefined;
  if (!fault || typeof fault !== 'object') return undefined;
  const list = (fault.Error ?? fault.error) as unknown;
  const errors = (Array.isArray(list) ? list : list ? [list] : []).map((e): QboFaultError => {
    const r = (e ?? {}) as Record<string, unknown>;
    return {
      message: str(r.Message ?? r.message) ?? 'QuickBooks error',
      detail: str(r.Detail ?? r.detail),
      code: str(r.code ?? r.Code) ?? '',
      element: str(r.element ?? r.Element) || undefined,
    };
  });
  return { type: str(fault.type ?? fault.Type) ?? 'Fault', errors };
}

/** Human fix for the codes synder meets; the Fault text itself is always kept too. */
export function faultHint(code: string): string | undefined {
  switch (code) {
    case '610':
      return 'An account, item or customer the document references is missing or inactive in QuickBooks. Make it active again or fix the account mapping, then sync again.';
    case '6140':
      return 'A document with this number already exists in QuickBooks; synder looks it up instead of creating a copy.';
    case '5010':
      return 'Someone changed the object in QuickBooks at the same time; run the command again.';
    case '6000':
      return 'QuickBooks rejected the document for a business rule (see the detail). Check the account types in the mapping and the company closing date.';
    case '2010':
    case '2020':
    case '2050':
      return 'QuickBooks rejected a field value; this is a synder bug — please report it with the detail.';
    case '3001':
      return 'QuickBooks throttled the requests; wait a minute and run sync again.';
    case '3200':
    case '100':
      return 'Run `synder connect quickbooks` to sign in again.';
    default:
      return undefined;
  }
}

export function describeFault(f: QboFault): string {
  return f.errors.map((e) => `${e.message}${e.detail && e.detail !== e.message ? `: ${e.detail}` : ''}${e.code ? ` (code ${e.code})` : ''}`).join('; ') || f.type;
}

/** A Fault answered by the API (validation, business rule, authorization, system). */
export class QuickBooksFaultError extends SynderError {
  readonly status: number;
  readonly fault: QboFault;
  readonly endpoint: string;
  constructor(endpoint: string, status: number, fault: QboFault, intuitTid?: string) {
    const first = fault.errors[0];
    super(`QuickBooks ${endpoint} failed (HTTP ${status}): ${describeFault(fault)}${intuitTid ? ` [intuit_tid ${intuitTid}]` : ''}`, {
      code: 'quickbooks_fault',
      hint: first ? faultHint(first.code) : undefined,
    });
    this.status = status;
    this.fault = fault;
    this.endpoint = endpoint;
  }
  get faultCode(): string | undefined {
    return this.fault.errors[0]?.code;
  }
}
