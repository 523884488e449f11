import { queryError, queryValidation } from './fault.js';

/** The QBO query language: SELECT * | count(*) FROM E [WHERE a op v [AND …]] [ORDERBY f [ASC|DESC]] [STARTPOSITION n] [MAXRESULTS m]. */

export type Scalar = string | number | boolean;
export interface Condition {
  field: string;
  op: '=' | '<' | '>' | '<=' | '>=' | 'LIKE' | 'IN';
  value: Scalar | Scalar[];
}
export interface ParsedQuery {
  count: boolean;
  entity: string;
  where: Condition[];
  orderBy?: { field: string; desc: boolean };
  start: number;
  max: number;
}

type Token = { t: 'word' | 'str' | 'num' | 'op' | 'punct'; v: string };

function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= sql.length) throw queryError(`unterminated string literal in "${sql}"`);
        const ch = sql[i]!;
        if (ch === '\\' && i + 1 < sql.length) {
          s += sql[i + 1];
          i += 2;
        } else if (ch === "'") {
          i++;
          break;
        } else {
          s += ch;
          i++;
        }
      }
      out.push({ t: 'str', v: s });
    } else if (/[0-9-]/.test(c) && /[0-9.]/.test(sql[i + 1] ?? '') || /[0-9]/.test(c)) {
      const m = /^-?[0-9]+(\.[0-9]+)?/.exec(sql.slice(i))!;
      out.push({ t: 'num', v: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(sql.slice(i))!;
      out.push({ t: 'word', v: m[0] });
      i += m[0].length;
    } else if (c === '<' || c === '>' || c === '=') {
      const two = sql.slice(i, i + 2);
      if (two === '<=' || two === '>=') {
        out.push({ t: 'op', v: two });
        i += 2;
      } else {
        out.push({ t: 'op', v: c });
        i++;
      }
    } else if (c === '(' || c === ')' || c === ',' || c === '*') {
      out.push({ t: 'punct', v: c });
      i++;
    } else {
      throw queryError(`unexpected character "${c}" at ${i}`);
    }
  }
  return out;
}

export function parseQuery(sql: string): ParsedQuery {
  const toks = tokenize(sql);
  let p = 0;
  const peek = () => toks[p];
  const word = (w: string) => peek()?.t === 'word' && peek()!.v.toUpperCase() === w;
  const expectWord = (w: string) => {
    if (!word(w)) throw queryError(`expected ${w} near "${peek()?.v ?? 'end of query'}"`);
    p++;
  };
  const punct = (v: string) => peek()?.t === 'punct' && peek()!.v === v;
  const expectPunct = (v: string) => {
    if (!punct(v)) throw queryError(`expected "${v}" near "${peek()?.v ?? 'end of query'}"`);
    p++;
  };
  const literal = (): Scalar => {
    const tok = toks[p++];
    if (!tok) throw queryError('expected a value at end of query');
    if (tok.t === 'str') return tok.v;
    if (tok.t === 'num') return Number(tok.v);
    if (tok.t === 'word' && /^(true|false)$/i.test(tok.v)) return tok.v.toLowerCase() === 'true';
    throw queryError(`expected a value near "${tok.v}"`);
  };

  expectWord('SELECT');
  let count = false;
  if (punct('*')) p++;
  else if (word('COUNT')) {
    p++;
    expectPunct('(');
    expectPunct('*');
    expectPunct(')');
    count = true;
  } else throw queryError('only SELECT * and SELECT count(*) are supported (no projections)');
  expectWord('FROM');
  const entityTok = toks[p++];
  if (!entityTok || entityTok.t !== 'word') throw queryError('expected an entity name after FROM');
  const where: Condition[] = [];
  if (word('WHERE')) {
    p++;
    for (;;) {
      const f = toks[p++];
      if (!f || f.t !== 'word') throw queryError('expected a property name in WHERE');
      let op: Condition['op'];
      const o = toks[p++];
      if (o?.t === 'op') op = o.v as Condition['op'];
      else if (o?.t === 'word' && /^(LIKE|IN)$/i.test(o.v)) op = o.v.toUpperCase() as Condition['op'];
      else if (o?.t === 'word' && /^OR$/i.test(o.v)) throw queryError('OR is not supported');
      else throw queryError(`expected an operator after ${f.v}`);
      let value: Scalar | Scalar[];
      if (op === 'IN') {
        expectPunct('(');
        const list: Scalar[] = [literal()];
        while (punct(',')) {
          p++;
          list.push(literal());
        }
        expectPunct(')');
        value = list;
      } else value = literal();
      where.push({ field: f.v, op, value });
      if (word('AND')) {
        p++;
        continue;
      }
      if (word('OR')) throw queryError('OR is not supported');
      break;
    }
  }
  let orderBy: ParsedQuery['orderBy'];
  if (word('ORDERBY') || word('ORDER')) {
    if (word('ORDER')) {
      p++;
      expectWord('BY');
    } else p++;
    const f = toks[p++];
    if (!f || f.t !== 'word') throw queryError('expected a property after ORDERBY');
    let desc = false;
    if (word('DESC')) {
      desc = true;
      p++;
    } else if (word('ASC')) p++;
    orderBy = { field: f.v, desc };
  }
  let start = 1;
  let max = 100;
  for (;;) {
    if (word('STARTPOSITION')) {
      p++;
      const v = literal();
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw queryError('STARTPOSITION must be a positive integer');
      start = v;
    } else if (word('MAXRESULTS')) {
      p++;
      const v = literal();
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw queryError('MAXRESULTS must be a positive integer');
      max = Math.min(v, 1000);
    } else break;
  }
  if (p < toks.length) throw queryError(`unexpected "${toks[p]!.v}"`);
  return { count, entity: entityTok.v, where, orderBy, start, max };
}

function getPath(obj: Record<string, unknown>, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (!cur || typeof cur !== 'object') return undefined;
    const rec = cur as Record<string, unknown>;
    const key = Object.keys(rec).find((k) => k.toLowerCase() === part.toLowerCase());
    cur = key === undefined ? undefined : rec[key];
  }
  // Reference fields compare by their value.
  if (cur && typeof cur === 'object' && 'value' in (cur as Record<string, unknown>)) return (cur as Record<string, unknown>).value;
  return cur;
}

function compare(a: unknown, b: Scalar): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' || typeof b === 'boolean') return String(a) === String(b) ? 0 : 1;
  const x = String(a ?? '').toLowerCase();
  const y = String(b).toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function likeToRegex(pattern: string): RegExp {
  const esc = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*');
  return new RegExp(`^${esc}$`, 'i');
}

export function matches(obj: Record<string, unknown>, c: Condition): boolean {
  const v = getPath(obj, c.field);
  switch (c.op) {
    case '=':
      return v !== undefined && compare(v, c.value as Scalar) === 0;
    case '<':
      return v !== undefined && compare(v, c.value as Scalar) < 0;
    case '>':
      return v !== undefined && compare(v, c.value as Scalar) > 0;
    case '<=':
      return v !== undefined && compare(v, c.value as Scalar) <= 0;
    case '>=':
      return v !== undefined && compare(v, c.value as Scalar) >= 0;
    case 'LIKE':
      return typeof v === 'string' && likeToRegex(String(c.value)).test(v);
    case 'IN':
      return v !== undefined && (c.value as Scalar[]).some((x) => compare(v, x) === 0);
  }
}

/** Filterable properties (per the XSD "Filterable" notes); anything else is a query validation error. */
const TXN_FIELDS = ['Id', 'DocNumber', 'TxnDate', 'TotalAmt', 'CustomerRef', 'MetaData.CreateTime', 'MetaData.LastUpdatedTime'];
export const FILTERABLE: Record<string, string[]> = {
  Account: ['Id', 'Name', 'AccountType', 'AccountSubType', 'Classification', 'Active', 'CurrentBalance', 'FullyQualifiedName', 'AcctNum', 'MetaData.CreateTime', 'MetaData.LastUpdatedTime'],
  Item: ['Id', 'Name', 'Type', 'Active', 'Sku', 'FullyQualifiedName', 'MetaData.CreateTime', 'MetaData.LastUpdatedTime'],
  Customer: ['Id', 'DisplayName', 'CompanyName', 'GivenName', 'FamilyName', 'Active', 'FullyQualifiedName', 'MetaData.CreateTime', 'MetaData.LastUpdatedTime'],
  Vendor: ['Id', 'DisplayName', 'CompanyName', 'Active', 'MetaData.CreateTime', 'MetaData.LastUpdatedTime'],
  SalesReceipt: TXN_FIELDS,
  RefundReceipt: TXN_FIELDS,
  Purchase: [...TXN_FIELDS, 'PaymentType'],
  Deposit: TXN_FIELDS,
  JournalEntry: TXN_FIELDS,
  Transfer: ['Id', 'TxnDate', 'Amount', 'MetaData.CreateTime', 'MetaData.LastUpdatedTime'],
  TaxCode: ['Id', 'Name', 'Active', 'Taxable', 'TaxGroup', 'Hidden', 'MetaData.CreateTime', 'MetaData.LastUpdatedTime'],
  TaxRate: ['Id', 'Name', 'Active', 'RateValue', 'SpecialTaxType', 'MetaData.CreateTime', 'MetaData.LastUpdatedTime'],
  Invoice: TXN_FIELDS,
  Payment: TXN_FIELDS,
  CompanyInfo: ['Id'],
  Preferences: [],
};

export function checkFilterable(entity: string, q: ParsedQuery): void {
  const allowed = FILTERABLE[entity] ?? [];
  for (const c of [...q.where, ...(q.orderBy ? [q.orderBy] : [])]) {
    if (!allowed.some((a) => a.toLowerCase() === c.field.toLowerCase())) throw queryValidation(`property '${c.field}' is not queryable`);
  }
  for (const c of q.where) {
    if (c.field.toLowerCase() === 'id' && c.op !== '=' && c.op !== 'IN') throw queryValidation("Id supports only the '=' and 'IN' operators");
  }
}

export function runQuery(rows: Array<Record<string, unknown>>, q: ParsedQuery): { rows: Array<Record<string, unknown>>; total: number } {
  let out = rows.filter((r) => q.where.every((c) => matches(r, c)));
  const total = out.length;
  if (q.orderBy) {
    const { field, desc } = q.orderBy;
    out = [...out].sort((a, b) => {
      const x = getPath(a, field);
      const y = getPath(b, field);
      const cmp = typeof x === 'number' && typeof y === 'number' ? x - y : String(x ?? '').localeCompare(String(y ?? ''));
      return desc ? -cmp : cmp;
    });
  }
  return { rows: out.slice(q.start - 1, q.start - 1 + q.max), total };
}
