/**
 * Column widths that make a bordered table fit a terminal: id columns keep their full width (an
 * id cut short is useless), the others share what is left, the widest narrowed first, and their
 * text is wrapped at word boundaries rather than truncated.
 */

export interface ColumnFit {
  /** Text width of each column (borders and padding excluded). */
  content: number[];
  /** Not even the narrowest table fits: print each row as a block of lines instead. */
  stacked: boolean;
}

/** The narrowest a wrapped column gets before the table is printed as blocks instead. */
const MIN_COLUMN = 8;

const lineWidth = (text: string): number => Math.max(0, ...text.split('\n').map((l) => [...l].length));

/** Undefined when the table fits as it is. */
export function fitColumns(rows: string[][], width: number, keep: number[]): ColumnFit | undefined {
  const n = rows[0]?.length ?? 0;
  if (n === 0) return undefined;
  const natural = Array.from({ length: n }, (_, i) => Math.max(1, ...rows.map((r) => lineWidth(r[i] ?? ''))));
  // Each column adds two spaces of padding and one border; the table one more border.
  const budget = width - 3 * n - 1;
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  if (sum(natural) <= budget) return undefined;
  const kept = new Set(keep.filter((i) => i < n));
  const floor = natural.map((w, i) => (kept.has(i) ? w : Math.min(w, MIN_COLUMN)));
  if (sum(floor) > budget) return { content: natural, stacked: true };
  // The largest cap that still fits: every shrinkable column is at most `cap` wide.
  const at = (cap: number): number[] => natural.map((w, i) => (kept.has(i) ? w : Math.max(floor[i]!, Math.min(w, cap))));
  let lo = MIN_COLUMN;
  let hi = Math.max(...natural);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (sum(at(mid)) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return { content: at(lo), stacked: false };
}

/** `text` wrapped to `width` at spaces; a word longer than the width is broken, never cut. */
export function wrapCell(text: string, width: number): string {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(' ')) {
      let w = word;
      while ([...w].length > width) {
        if (line) {
          out.push(line);
          line = '';
        }
        out.push([...w].slice(0, width).join(''));
        w = [...w].slice(width).join('');
      }
      if (!line) line = w;
      else if ([...line].length + 1 + [...w].length <= width) line += ` ${w}`;
      else {
        out.push(line);
        line = w;
      }
    }
    out.push(line);
  }
  return out.join('\n');
}

/** A cell of a tab-separated line: no tabs or line breaks inside it. */
export function plainCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(/[\t\r\n]+/g, ' ').trim();
}
