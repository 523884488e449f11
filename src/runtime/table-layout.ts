/**
 * Column widths that make a bordered table fit a terminal: id columns keep their full width (an
 * id cut short is useless), the others share what is left, the widest narrowed first, and their
 * text is wrapped at word boundaries rather than truncated.
 */

export interface ColumnFit {
  /** Text width of each column (padding and borders excluded). */
  content: number[];
  /** Spaces each side of a cell's text: 1, or 0 when that is what makes the table fit. */
  padding: number;
  /** Not even the narrowest table fits: print each row as a block of lines instead. */
  stacked: boolean;
}

/** The narrowest a column with words broken gets before the table is printed as blocks instead. */
const MIN_COLUMN = 8;

const len = (s: string): number => [...s].length;
const lineWidth = (text: string): number => Math.max(0, ...text.split('\n').map(len));
const longestWord = (text: string): number => Math.max(0, ...text.split(/[\n ]/).map(len));
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/**
 * Undefined when the table fits as it is. Otherwise, in order of preference: the other columns
 * wrapped between words; the same without padding; words broken too; each row as a block.
 */
export function fitColumns(rows: string[][], width: number, keep: number[]): ColumnFit | undefined {
  const n = rows[0]?.length ?? 0;
  if (n === 0) return undefined;
  const natural = Array.from({ length: n }, (_, i) => Math.max(1, ...rows.map((r) => lineWidth(r[i] ?? ''))));
  const words = natural.map((w, i) => Math.min(w, Math.max(1, ...rows.map((r) => longestWord(r[i] ?? '')))));
  const kept = new Set(keep.filter((i) => i < n));
  // A column adds its padding on both sides and one border; the table one more border.
  const budget = (padding: number): number => width - n * (2 * padding + 1) - 1;
  if (sum(natural) <= budget(1)) return undefined;
  const byWords = natural.map((w, i) => (kept.has(i) ? w : words[i]!));
  const broken = natural.map((w, i) => (kept.has(i) ? w : Math.min(w, MIN_COLUMN)));
  for (const [floor, padding] of [[byWords, 1], [byWords, 0], [broken, 1], [broken, 0]] as const) {
    if (sum(floor) <= budget(padding)) return { content: share(natural, floor, budget(padding)), padding, stacked: false };
  }
  return { content: natural, padding: 1, stacked: true };
}

/** Widths between `floor` and `natural` filling `budget`: the widest columns are narrowed first. */
function share(natural: number[], floor: number[], budget: number): number[] {
  const at = (cap: number): number[] => natural.map((w, i) => Math.max(floor[i]!, Math.min(w, cap)));
  let lo = 1;
  let hi = Math.max(...natural);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (sum(at(mid)) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return at(lo);
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

/**
 * Prose wrapped to `width` at spaces. A word longer than the width (a URL, an id) is left whole
 * on its own line: the terminal folds it, and it can still be copied in one piece.
 */
export function wrapProse(text: string, width: number): string {
  return text
    .split('\n')
    .map((line) => {
      if (len(line) <= width) return line;
      const out: string[] = [];
      let current = '';
      for (const word of line.split(' ')) {
        if (current && len(current) + 1 + len(word) > width) {
          out.push(current);
          current = word;
        } else current = current ? `${current} ${word}` : word;
      }
      out.push(current);
      return out.join('\n');
    })
    .join('\n');
}
