/**
 * What a saved console capture carries besides the tool's own output, taken off before a reader sees it:
 *  - a preamble: `chcp`'s "Active code page: 437", the prompt line of the command that was run
 *    ("PS C:\> auditpol /get /category:* /r", "C:\Users\admin>systeminfo"), blank lines, anything else printed
 *    before the output starts;
 *  - prompt lines further down (the next command typed into the same transcript) and at the end;
 *  - CR CR LF line ends: cmd's `>` of a tool that writes "\r\n" through a text-mode stream turns each "\n" into
 *    "\r\n" again (auditpol /r does this); read as one line end, not as a line and an empty line;
 *  - byte order marks inside the text: two outputs saved one after the other (`>>` of PowerShell).
 * Every tolerance applied is said in one note, so that nothing read is silently different from the file.
 * Readers of other captures (wevtutil, sc, …) can use it as they are: it knows nothing of any one tool.
 */
import { forEachLine } from '../lines.js';

export interface CaptureText {
  /** The output itself: from the line where it starts, prompt lines removed, line ends "\r\n" or "\n". */
  text: string;
  notes: string[];
  /** Whether `start` found the line where the output starts (false: nothing of the preamble was taken off). */
  started: boolean;
  /** The file's line number of the output's first line (1 when nothing was skipped). */
  firstLine: number;
}

export interface CaptureOptions {
  /** Is this the first line of the tool's output? Lines before it are the preamble. */
  start: (line: string) => boolean;
  /** How far down the output may start (lines); past that nothing is taken off and `started` is false. */
  maxPreamble?: number;
  /**
   * Also take chcp's line out where it appears inside the output (a second capture appended). Only for outputs
   * none of whose lines can look like it: a systeminfo field "Label: 1234" could, and its position counts.
   */
  codePageInside?: boolean;
}

/** A PowerShell prompt (also as Evil-WinRM and remoting print it) or a cmd prompt, with what was typed after it. */
const PROMPT = /^(?:\*Evil-WinRM\* |\[[^\]\r\n]{1,100}\]: )?PS [^\r\n>]{1,260}> ?|^[A-Za-z]:\\[^\r\n>]{0,260}>/;
/** chcp's line in any language: "Active code page: 437", "Aktive Codepage: 850.", "Page de codes active : 850". */
const CODE_PAGE = /^[^\d:]{3,40}:\s*\d{3,5}\.?\s*$/;

export function isPromptLine(line: string): boolean {
  return PROMPT.test(line);
}

export function isCodePageLine(line: string): boolean {
  return CODE_PAGE.test(line);
}

export function cleanCapture(raw: string, opts: CaptureOptions): CaptureText {
  const notes: string[] = [];
  let text = raw;

  // A BOM anywhere but the first character (decodeText took that one off) marks a second output appended.
  let boms = 0;
  for (let at = text.indexOf('\uFEFF'); at >= 0; at = text.indexOf('\uFEFF', at + 1)) boms++;
  if (boms) {
    text = text.replace(/\uFEFF/g, '');
    notes.push(`${boms} byte order mark(s) inside the file removed (outputs saved one after another?); the text around them read as usual`);
  }

  const crcrlf = count(text, /\r\r\n/g);
  if (crcrlf) {
    text = text.replace(/\r\r\n/g, '\r\n');
    notes.push(`${crcrlf} line end(s) are CR CR LF (a CRLF output redirected by cmd); each read as one line end`);
  }

  // The preamble: every line before the first one `start` accepts.
  const max = opts.maxPreamble ?? 50;
  let begin = -1;
  let firstLine = 1;
  const pre = { codePage: '', prompts: [] as string[], other: [] as string[], blank: 0 };
  let offset = 0;
  forEachLine(text, (line, no) => {
    if (opts.start(line)) {
      begin = offset;
      firstLine = no;
      return false;
    }
    if (no >= max) return false;
    if (!line.trim()) pre.blank++;
    else if (PROMPT.test(line)) pre.prompts.push(line);
    else if (CODE_PAGE.test(line) && !pre.codePage) pre.codePage = line.trim();
    else pre.other.push(line);
    offset += line.length + lineEndLength(text, offset + line.length);
    return true;
  });
  if (begin < 0) return { text, notes, started: false, firstLine: 1 };
  if (begin > 0) {
    text = text.slice(begin);
    if (pre.codePage) notes.push(`skipped the code page line "${shown(pre.codePage)}" before the output (chcp's)`);
    if (pre.prompts.length) notes.push(`skipped ${pre.prompts.length} prompt line(s) before the output ("${shown(pre.prompts[0] as string)}")`);
    if (pre.other.length)
      notes.push(`skipped ${pre.other.length} other line(s) before the output ("${shown(pre.other[0] as string)}"${pre.other.length > 1 ? ' …' : ''})`);
    // Blank lines alone are not said: tools print them (systeminfo starts with one), and they hold nothing.
  }

  // Prompt lines inside or after the output (a transcript of several commands): taken out, said once.
  const cut: [number, number][] = [];
  let first = '';
  let codePages = 0;
  let at = 0;
  forEachLine(text, (line) => {
    const end = at + line.length + lineEndLength(text, at + line.length);
    if (PROMPT.test(line)) {
      cut.push([at, end]);
      first ||= line;
    } else if (opts.codePageInside && CODE_PAGE.test(line)) {
      cut.push([at, end]);
      codePages++;
    }
    at = end;
  });
  if (cut.length) {
    let kept = '';
    let from = 0;
    for (const [s, e] of cut) {
      kept += text.slice(from, s);
      from = e;
    }
    text = kept + text.slice(from);
    if (cut.length > codePages) notes.push(`removed ${cut.length - codePages} prompt line(s) inside or after the output ("${shown(first)}")`);
    if (codePages) notes.push(`removed ${codePages} code page line(s) inside the output (chcp's, from a second capture appended)`);
  }
  return { text, notes, started: true, firstLine };
}

/**
 * The text after its last line end: a tool that ends every line left it unfinished when the file was cut off
 * (a copy interrupted, a size limit). Empty when the text ends with a line end.
 */
export function unterminatedTail(text: string): string {
  return text.slice(Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r')) + 1);
}

/** A cut-off last line taken off with a note, so that it is never read as if whole. */
export function dropCutLine(text: string, notes: string[]): string {
  const tail = unterminatedTail(text);
  if (!tail.trim()) return text;
  notes.push(`the file ends inside a line (cut off?): its last line "${shown(tail)}" is not read`);
  return text.slice(0, text.length - tail.length);
}

function count(text: string, re: RegExp): number {
  let n = 0;
  for (const _ of text.matchAll(re)) n++;
  return n;
}

function lineEndLength(text: string, at: number): number {
  if (text.charCodeAt(at) === 13) return text.charCodeAt(at + 1) === 10 ? 2 : 1;
  return text.charCodeAt(at) === 10 ? 1 : 0;
}

/** File text quoted in a note: one line, printable, short. */
export function shown(s: string, max = 80): string {
  const flat = s.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, '?').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
