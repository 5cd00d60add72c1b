/**
 * Table cells are cut to a width (terminal and Markdown tables): a 40,000-character channel name from a
 * user's pipeline cost cli-table3 a character-by-character truncation (quadratic, ~35 s) and makes a table
 * nobody can read. The JSON report keeps every value whole; a table that cut a cell says so under it.
 */

/** Characters of one cell line a table shows. */
export const CELL_CHARS = 200;

/** The line under a table (or report) with a cut cell. */
export const CELL_NOTE = `(cells longer than ${CELL_CHARS} characters are cut at …; -f json has the whole values)`;

/** Our colour sequences (src/report/table-style.ts paint); data never holds ESC after escaping. */
const SGR = /\u001b\[[0-9;]*m/y;

/** A cell cut to CELL_CHARS visible characters per line; `cut` is called when anything was cut. Linear. */
export function clipCell(s: string, cut?: () => void, max = CELL_CHARS): string {
  if (s.length <= max) return s;
  let any = false;
  const lines = s.split('\n').map((line) => {
    const c = clipLine(line, max);
    if (c !== line) any = true;
    return c;
  });
  if (!any) return s;
  cut?.();
  return lines.join('\n');
}

function clipLine(line: string, max: number): string {
  if (line.length <= max) return line;
  let visible = 0;
  let painted = false;
  for (let i = 0; i < line.length;) {
    const m = line.charCodeAt(i) === 27 ? ((SGR.lastIndex = i), SGR.exec(line)) : null;
    if (m) {
      painted = true;
      i += m[0].length;
      continue;
    }
    if (visible === max) {
      // A surrogate pair is never split: the cut is before its high half.
      return `${line.slice(0, i)}…${painted ? '\u001b[0m' : ''}`;
    }
    const code = line.charCodeAt(i);
    i += code >= 0xd800 && code <= 0xdbff && i + 1 < line.length ? 2 : 1;
    visible++;
  }
  return line;
}

/** Whether a Markdown table cell was cut since the renderer last asked (Markdown renderers are synchronous). */
let markdownCut = false;

/** A Markdown table cell's text, cut as clipCell does (escape it after: an entity is never split). */
export function tableText(s: string): string {
  return clipCell(s, () => {
    markdownCut = true;
  });
}

/** The note to end a Markdown report with when one of its table cells was cut; resets. */
export function markdownCutNote(): string[] {
  const cut = markdownCut;
  markdownCut = false;
  return cut ? ['', `_${CELL_NOTE}_`] : [];
}
