/**
 * One escaping function per output kind, used by every renderer and generator (docs/limits.md). Data from
 * rules and host inputs is hostile until written: it must not change what the reader of an output sees.
 * Encoders (the bytes each Windows reader expects) and the control-character sets live in encode.ts.
 */
import { CONTROLS, CONTROLS_BUT_BREAKS, htmlControls, psString, xmlReferences } from './encode.js';
export * from './encode.js';

/** Control characters and escape sequences (CSI, OSC: colours, window titles, hyperlinks) that a terminal obeys. */
const ANSI =
  /\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b\[[0-?]*[ -/]*[@-~]|\u001b[@-_]?|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/** Terminal text: escape sequences, control and bidi characters replaced by U+FFFD (newlines and tabs kept for table cells). */
export function terminal(s: string): string {
  return s.replace(ANSI, '\uFFFD');
}

/** One terminal line (stderr messages): controls removed and line breaks folded. */
export function terminalLine(s: string): string {
  return terminal(s.replace(/\r\n|\r|\n/g, ' '));
}

/**
 * A CSV cell a spreadsheet will not run as a formula: cells starting with = + - @ tab or CR get a leading
 * apostrophe (OWASP CSV injection). Escape sequences and control/bidi characters become U+FFFD as on the
 * terminal, whether the CSV goes to standard output or to a file (`cat`/`type` of the file obeys them too).
 * Quoting is csv-stringify's.
 */
export function csvCell(v: string | number): string | number {
  if (typeof v !== 'string') return v;
  const s = terminal(v);
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

/** A Markdown table cell: no raw HTML, no link or image syntax, no table or line breaks. */
export function markdownCell(s: string): string {
  return terminalLine(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|!])/g, '\\$1')
    .replace(/javascript:/gi, 'javascript&#58;');
}

/** Characters XML 1.0 does not allow at all (C0 controls but tab/LF/CR, U+FFFE/FFFF, lone surrogates). */
const XML_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** XML element text; DEL, C1 and bidi characters as character references (exact for the parser, inert in an editor). */
export function xmlText(s: string): string {
  return xmlReferences(s.replace(XML_INVALID, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
}

/** XML attribute value (double-quoted). */
export function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, '&quot;');
}

/** XML comment text: "--" may not occur in a comment, nor may it end with "-". */
export function xmlComment(s: string): string {
  return s
    .replace(XML_INVALID, '\uFFFD')
    .replace(CONTROLS_BUT_BREAKS, '\uFFFD')
    .replace(/-(?=-)/g, '- ')
    .replace(/-$/, '- ');
}

/** Text a cmd.exe `echo` or `rem` line shows: its metacharacters would otherwise run; outside printable ASCII is "?" (.cmd files are ASCII). */
export function cmdText(s: string): string {
  return s
    .replace(/[\r\n]/g, ' ')
    .replace(/[^\x20-\x7e]/gu, '?')
    .replace(/[\^&|<>()%!"]/g, (c) => (c === '%' ? '%%' : `^${c}`));
}

/** A .reg string value or value name inside double quotes. */
export function regString(s: string): string {
  return s
    .replace(/[\r\n\u0000]/g, ' ')
    .replace(CONTROLS, '\uFFFD')
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"');
}

/** A .reg comment line's text (after "; "): one line, so nothing after it can become a key or a value. */
export function regComment(s: string): string {
  return s.replace(/[\r\n\u0000]/g, ' ').replace(CONTROLS, '\uFFFD');
}

/** A PowerShell string of exactly s: single-quoted, every quote PowerShell knows doubled, controls as [char] (encode.ts psString). */
export function psSingle(s: string): string {
  return psString(s);
}

/** HTML text and attribute values: controls and bidi characters as U+FFFD, then the XML escaping. */
export function htmlText(s: string): string {
  return xmlText(htmlControls(s));
}

export function htmlAttr(s: string): string {
  return xmlAttr(htmlControls(s));
}

/** Text inside a Markdown code span: literal there (no HTML, no links), so only backticks, pipes and breaks matter. */
export function markdownCode(s: string): string {
  return terminalLine(s).replace(/`/g, "'").replace(/\|/g, '\\|');
}

/**
 * A fenced Markdown code block: its content is literal, so only a line that would close the fence matters;
 * the fence is made longer than any run of backticks inside. Control characters are made visible.
 */
export function markdownFence(code: string, lang = ''): string {
  const body = code.split('\n').map(terminalLine).join('\n');
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${lang.replace(/[^a-z0-9-]/gi, '')}\n${body}\n${fence}`;
}

/**
 * A Splunk .conf stanza name ([WinEventLog://<channel>]) or undefined when .conf cannot hold it: the format
 * has no escapes, so a line break would end the header (the rest becomes settings), a control or bidi
 * character would be written raw, surrounding spaces are trimmed by the reader, and a trailing backslash
 * continues the line. A "]" inside is fine: the header runs to the last "]" of its line.
 */
export function confStanzaName(s: string): string | undefined {
  if (/[\r\n]/.test(s) || s.search(CONTROLS) >= 0 || s !== s.trim() || s.endsWith('\\') || !s) return undefined;
  return s;
}

/** A .conf comment line's text (after "# "): one line, controls and bidi characters as U+FFFD. */
export function confComment(s: string): string {
  return terminalLine(s);
}
