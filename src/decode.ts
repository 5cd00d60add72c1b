import { LIMITS, readRegular } from './limits.js';

/**
 * Decodes a text file written by Windows tools: UTF-8 (with or without BOM), UTF-16 LE/BE with BOM
 * (gpresult /x, PowerShell's `>`), and UTF-16 without BOM, recognised by its zero bytes.
 */
export function decodeText(buf: Uint8Array): string {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return new TextDecoder('utf-16le').decode(buf.subarray(2));
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return new TextDecoder('utf-16be').decode(buf.subarray(2));
  const bom = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
  if (!bom && buf.length >= 4) {
    // ASCII-range text in UTF-16 has every other byte zero: "<\0?\0" (LE) or "\0<\0?" (BE).
    if (buf[0] !== 0 && buf[1] === 0 && buf[2] !== 0 && buf[3] === 0) return new TextDecoder('utf-16le').decode(buf);
    if (buf[0] === 0 && buf[1] !== 0 && buf[2] === 0 && buf[3] !== 0) return new TextDecoder('utf-16be').decode(buf);
  }
  const text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Reads a regular file within `maxBytes` (src/limits.ts: FIFOs, devices and pseudo-files are refused). */
export function readBounded(path: string, maxBytes: number): Buffer {
  return readRegular(path, maxBytes);
}

/** A read refused by a limit (size, file type, forbidden target). */
export { LimitError as TooLargeError } from './limits.js';

/** Rule files are kilobytes (the largest SigmaHQ rule is ~300 KB). */
export const MAX_RULE_FILE = LIMITS.ruleFileBytes;
/** gpresult of a large domain, a Sysmon config, a collector config. */
export const MAX_INPUT_FILE = LIMITS.inputFileBytes;
