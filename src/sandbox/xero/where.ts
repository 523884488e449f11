/**
 * The subset of Xero's `where` filter language synder uses: comparisons `Field=="text"`,
 * `Field!="text"`, `Field==Guid("…")`, `Date>=DateTime(2026, 10, 01)`, numbers and booleans, dotted paths (`Contact.Name`),
 * `.ToUpper()`/`.ToLower()` on the field, joined by AND / OR (AND binds tighter), and
 * `Field.StartsWith("x")` / `Field.Contains("x")`.
 */
type Term = (obj: Record<string, unknown>) => boolean;

export class WhereError extends Error {}

function get(obj: unknown, path: string[]): unknown {
  let cur = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** A `DateTime(y, m, d[, h, min, s])` literal, as epoch milliseconds (UTC, as Xero dates are). */
interface DateLiteral {
  at: number;
}
type Literal = string | number | boolean | DateLiteral;

/** A stored date (`/Date(ms+0000)/` or ISO) as epoch milliseconds. */
function dateValue(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const ms = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/.exec(v);
  if (ms) return Number(ms[1]);
  const t = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(v) || v.length <= 10 ? v : `${v}Z`);
  return Number.isNaN(t) ? undefined : t;
}

function literal(raw: string): Literal {
  const t = raw.trim();
  let m = /^"((?:[^"\\]|\\.)*)"$/.exec(t);
  if (m) return m[1]!.replace(/\\(.)/g, '$1');
  m = /^DateTime\(\s*(\d{4})\s*,\s*(\d{1,2})\s*,\s*(\d{1,2})\s*(?:,\s*(\d{1,2})\s*,\s*(\d{1,2})\s*,\s*(\d{1,2})\s*)?\)$/i.exec(t);
  if (m) return { at: Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)) };
  m = /^Guid\("([0-9a-fA-F-]{36})"\)$/i.exec(t);
  if (m) return m[1]!.toLowerCase();
  if (t === 'true' || t === 'false') return t === 'true';
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  throw new WhereError(`cannot read the value ${t}`);
}

function norm(v: unknown): unknown {
  return typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(v) ? v.toLowerCase() : v;
}

function term(text: string): Term {
  const t = text.trim().replace(/^\((.*)\)$/, '$1').trim();
  let m = /^([A-Za-z][\w.]*?)(\.ToUpper\(\)|\.ToLower\(\))?\.(StartsWith|Contains|EndsWith)\((".*")\)$/.exec(t);
  if (m) {
    const path = m[1]!.split('.');
    const fold = m[2] ? (s: string) => (m![2] === '.ToUpper()' ? s.toUpperCase() : s.toLowerCase()) : (s: string) => s;
    const needle = String(literal(m[4]!));
    const op = m[3];
    return (o) => {
      const v = get(o, path);
      if (typeof v !== 'string') return false;
      const hay = fold(v);
      return op === 'StartsWith' ? hay.startsWith(needle) : op === 'EndsWith' ? hay.endsWith(needle) : hay.includes(needle);
    };
  }
  m = /^([A-Za-z][\w.]*?)(\.ToUpper\(\)|\.ToLower\(\))?\s*(==|!=|>=|<=|>|<)\s*(.+)$/.exec(t);
  if (!m) throw new WhereError(`cannot read the condition ${t}`);
  const path = m[1]!.split('.');
  const upper = m[2] === '.ToUpper()';
  const lower = m[2] === '.ToLower()';
  const op = m[3]!;
  const want = literal(m[4]!);
  if (typeof want === 'object') {
    return (o) => {
      const v = dateValue(get(o, path));
      if (v === undefined) return false;
      return op === '==' ? v === want.at : op === '!=' ? v !== want.at : op === '>' ? v > want.at : op === '<' ? v < want.at : op === '>=' ? v >= want.at : v <= want.at;
    };
  }
  return (o) => {
    let v = norm(get(o, path));
    if (typeof v === 'string' && upper) v = v.toUpperCase();
    if (typeof v === 'string' && lower) v = v.toLowerCase();
    switch (op) {
      case '==':
        return v === want;
      case '!=':
        return v !== want;
      default: {
        if (typeof v !== typeof want || v === undefined) return false;
        const a = v as number | string;
        const b = want as number | string;
        return op === '>' ? a > b : op === '<' ? a < b : op === '>=' ? a >= b : a <= b;
      }
    }
  };
}

/** Splits on a keyword outside quotes. */
function splitOutside(text: string, word: 'OR' | 'AND'): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inQuote = false;
  let start = 0;
  const re = word === 'OR' ? /^\s+(OR|\|\|)\s+/i : /^\s+(AND|&&)\s+/i;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' && text[i - 1] !== '\\') inQuote = !inQuote;
    if (inQuote) continue;
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (depth === 0 && /\s/.test(c!)) {
      const m = re.exec(text.slice(i));
      if (m) {
        parts.push(text.slice(start, i));
        i += m[0].length - 1;
        start = i + 1;
      }
    }
  }
  parts.push(text.slice(start));
  return parts;
}

export function compileWhere(where: string | null | undefined): Term {
  if (!where || where.trim() === '') return () => true;
  const ors = splitOutside(where, 'OR').map((part) => splitOutside(part, 'AND').map(term));
  return (o) => ors.some((ands) => ands.every((t) => t(o)));
}
