/**
 * Helpers that keep readers linear and bounded whatever the input's size: lines walked in place (a 64 MiB
 * file split into an array costs a string object per line, ~40 bytes each, on top of the text), lists
 * appended without spreading them into a call (a spread passes every element on the stack: a few hundred
 * thousand overflow it), and per-file notes capped (a file of a million bad lines is not a million notes).
 */
import { LIMITS } from './limits.js';

/**
 * Calls `each(line, lineNo)` for every line of text (CRLF, LF or CR), without the line break. `each` returns
 * false to stop. Returns whether the text ended inside a line (no final line break): that line was passed
 * with `last` true, so that a reader of a cut-off file can tell the incomplete line.
 */
export function forEachLine(text: string, each: (line: string, lineNo: number, last: boolean) => boolean | void): boolean {
  let start = 0;
  let no = 1;
  const n = text.length;
  while (start < n) {
    let end = start;
    // A plain scan: indexOf would need two searches (\n and \r) per line.
    while (end < n) {
      const c = text.charCodeAt(end);
      if (c === 10 || c === 13) break;
      end++;
    }
    const last = end === n;
    if (each(text.slice(start, end), no++, last) === false) return false;
    if (last) return true;
    start = text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10 ? end + 2 : end + 1;
  }
  return false;
}

/** Appends items one by one (push(...items) puts every element on the stack and overflows it). */
export function append<T>(into: T[], items: Iterable<T>): T[] {
  for (const item of items) into.push(item);
  return into;
}

/**
 * A file's notes, at most LIMITS.notesPerFile; the others are counted and said in one last line by `end()`.
 * The reader goes on reading: only the notes are cut, never what is read.
 */
export function cappedNotes(into: string[], max: number = LIMITS.notesPerFile): { add: (note: string) => void; end: () => void } {
  let dropped = 0;
  return {
    add(note) {
      if (into.length < max) into.push(note);
      else dropped++;
    },
    end() {
      if (dropped) into.push(`… and ${dropped.toLocaleString('en-US')} more note(s) of this file not listed (${max.toLocaleString('en-US')} per file; limit)`);
      dropped = 0;
    },
  };
}
