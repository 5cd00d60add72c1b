/**
 * Encoding is part of escaping (re-exported by src/escape.ts; docs/limits.md "Escaping per output"):
 *  - the bytes of each generated file are what its Windows reader decodes as we meant, with the marker that
 *    makes the decoding unambiguous: .ps1 UTF-8 with a BOM (Windows PowerShell 5.1 reads a BOM-less script in
 *    the ANSI code page, where UTF-8 "В" D0 92 becomes "Ð’" and ’ is a quote to its tokenizer), .cmd ASCII
 *    only (cmd.exe reads in the OEM code page), .reg UTF-16 LE with a BOM (what regedit writes), .txt UTF-8
 *    with a BOM (Notepad). Microsoft: "Without the BOM, Windows PowerShell misinterprets your script as being
 *    encoded in the legacy ANSI codepage" (learn.microsoft.com/powershell/scripting/dev-cross-plat/vscode/
 *    understanding-file-encoding);
 *  - control characters a reader obeys never reach it raw: C0 and C1 controls (ESC starts terminal sequences;
 *    U+009B is a one-byte CSI), DEL, the bidirectional controls that reorder what a reviewer sees (Trojan
 *    Source, CVE-2021-42574) and the Unicode line separators.
 */

/** Bidirectional formatting characters: embeddings/overrides U+202A–U+202E, isolates U+2066–U+2069, marks. */
const BIDI = '\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069';

/** Every control character a reader may obey, tab/LF/CR included (callers that keep line breaks handle them first). */
export const CONTROLS = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f${BIDI}\\u2028\\u2029]`, 'g');

/** Whether s holds one of CONTROLS (a regex without the g flag's state). */
export function hasControl(s: string): boolean {
  return s.search(CONTROLS) >= 0;
}

/** The same without tab, LF and CR: text whose line structure is kept. */
export const CONTROLS_BUT_BREAKS = new RegExp(`[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f${BIDI}\\u2028\\u2029]`, 'g');

/** What XML allows as a character but a reader of the file should not see raw: DEL, C1, bidi, line separators. */
const XML_REFERENCED = new RegExp(`[\\u007f-\\u009f${BIDI}\\u2028\\u2029]`, 'g');

const hex = (c: string) => (c.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0');

/**
 * A JSON text (JSON.stringify's output) with the characters JSON.stringify leaves raw written as \uXXXX:
 * DEL, C1, bidi, U+2028/U+2029. JSON.stringify already escapes C0. Every such character of a JSON text lies
 * inside a string (JSON's own syntax is ASCII), so the result parses to the same value.
 */
export function jsonSafe(json: string): string {
  return json.replace(XML_REFERENCED, (c) => `\\u${hex(c).toLowerCase()}`);
}

/** XML text after &, <, > escaping: DEL, C1 and bidi as character references (the value stays exact for the parser). */
export function xmlReferences(escaped: string): string {
  return escaped.replace(XML_REFERENCED, (c) => `&#x${hex(c)};`);
}

/** HTML text: a character reference to a bidi control still reorders the page, so every control becomes U+FFFD. */
export function htmlControls(s: string): string {
  return s.replace(CONTROLS_BUT_BREAKS, '\uFFFD');
}

// ---- cmd.exe: ASCII only -------------------------------------------------------------------------------

/**
 * A value as a double-quoted cmd.exe argument, or undefined when it cannot be written exactly: outside
 * printable ASCII (the OEM code page decides what a byte means), or holding " (ends the quotes), % and !
 * (expanded even inside quotes) or ^ & | < > (kept out for safety). The caller leaves the command out and says why.
 */
export function cmdArg(s: string): string | undefined {
  return /^[\x20-\x7e]*$/.test(s) && !/["%!^&|<>]/.test(s) ? s : undefined;
}

/** A .cmd file: CRLF lines, ASCII only. A non-ASCII character here is a generator bug: refused, never written. */
export function cmdFile(lines: string[] | string): Buffer {
  const text = typeof lines === 'string' ? lines : lines.join('\r\n') + '\r\n';
  const bad = /[^\t\r\n\x20-\x7e]/.exec(text);
  if (bad) throw new Error(`internal: a .cmd line holds U+${hex(bad[0])} (cmd.exe reads the OEM code page; only ASCII is written)`);
  return Buffer.from(text, 'ascii');
}

// ---- PowerShell: UTF-8 with BOM ------------------------------------------------------------------------

const BOM_UTF8 = Buffer.from([0xef, 0xbb, 0xbf]);

/** A .ps1 file: UTF-8 with a BOM (PowerShell 5.1 reads a script without one in the ANSI code page). */
export function ps1File(text: string): Buffer {
  return Buffer.concat([BOM_UTF8, Buffer.from(text.replace(/^\uFEFF/, ''), 'utf8')]);
}

/** A plain-text file for Notepad: UTF-8 with a BOM, CRLF lines, controls replaced. */
export function textFile(lines: string[]): Buffer {
  return Buffer.concat([BOM_UTF8, Buffer.from(lines.map((l) => l.replace(CONTROLS, '\uFFFD')).join('\r\n') + '\r\n', 'utf8')]);
}

/** The characters PowerShell's tokenizer takes for a single quote (System.Management.Automation CharExtensions.IsSingleQuote). */
export const PS_SINGLE_QUOTES = /['\u2018\u2019\u201a\u201b]/g;

/**
 * A PowerShell string expression of exactly s. Inside a single-quoted literal nothing is expanded and a quote
 * is written twice (the tokenizer keeps the second: ’’ is ’). Control characters cannot be written raw (a CR
 * ends the line; bidi controls reorder what a reviewer reads), so they are spliced in as [char]0xNNNN:
 * ('a' + [char]0x202E + 'b'), which is an argument in command mode as well as an expression.
 */
export function psString(s: string): string {
  const lit = (x: string) => `'${x.replace(PS_SINGLE_QUOTES, (q) => q + q)}'`;
  if (!s.match(CONTROLS)) return lit(s);
  const parts: string[] = [];
  let last = 0;
  for (const m of s.matchAll(CONTROLS)) {
    const at = m.index;
    if (at > last) parts.push(lit(s.slice(last, at)));
    parts.push(`[char]0x${hex(m[0])}`);
    last = at + m[0].length;
  }
  if (last < s.length) parts.push(lit(s.slice(last)));
  // A leading [char] makes "+" add numbers: start with a string.
  if (!parts[0]?.startsWith("'")) parts.unshift("''");
  return `(${parts.join(' + ')})`;
}

/** A PowerShell # comment's text: one line (CR, LF, NEL, U+2028 would end it), no bidi controls. */
export function psComment(s: string): string {
  return s.replace(CONTROLS, '\uFFFD');
}

// ---- .reg: UTF-16 LE with BOM --------------------------------------------------------------------------

/** A .reg file as regedit writes it: UTF-16 LE with the BOM FF FE, CRLF lines. */
export function regFile(lines: string[]): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(lines.join('\r\n') + '\r\n', 'utf16le')]);
}
