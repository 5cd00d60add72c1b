/**
 * `.reg` exports (`reg export`, regedit): the registry policies a host really has, whatever wrote them
 * (Group Policy, MDM/Intune, a script). The text is already decoded (reg export writes UTF-16 LE with BOM,
 * `decodeText` handles it). Content problems become notes with line numbers; only a missing header throws,
 * because then the file is something else entirely and every "value" read from it would be invented.
 */

import { LIMITS } from '../limits.js';
import { cappedNotes, forEachLine } from '../lines.js';

/** REG_SZ, REG_DWORD, REG_QWORD, REG_BINARY, REG_EXPAND_SZ, REG_MULTI_SZ, REG_NONE, or another type's name as written. */
export type RegType = string;

export type RegData = string | number | string[] | Uint8Array;

export interface RegValue {
  /** Value name as written ('' for the default value `@`). */
  name: string;
  type: RegType;
  /** null: the value is deleted by this file (`"name"=-`). */
  data: RegData | null;
}

export interface RegFile {
  /** Upper-case key path with the hive abbreviated (HKLM\SOFTWARE\POLICIES\…) → lower-case value name → value. */
  keys: Map<string, Map<string, RegValue>>;
  /** Keys this file deletes (`[-KEY]`), same normalisation. */
  deletedKeys: Set<string>;
  /** 'REGEDIT4' files store hex(2)/hex(7) strings as ANSI bytes, version 5 files as UTF-16 LE. */
  version: 4 | 5;
  notes: string[];
  /** Set when a limit stopped the reading (why): a value not set before that point is unknown, not absent. */
  partial?: string;
}

const HIVES: Record<string, string> = {
  HKEY_LOCAL_MACHINE: 'HKLM',
  HKEY_CURRENT_USER: 'HKCU',
  HKEY_CLASSES_ROOT: 'HKCR',
  HKEY_USERS: 'HKU',
  HKEY_CURRENT_CONFIG: 'HKCC',
};

/** The numeric types of `hex(N):` ([MS-RRP] 3.1.1.5 value types). */
const HEX_TYPES: Record<number, RegType> = {
  0: 'REG_NONE',
  1: 'REG_SZ',
  2: 'REG_EXPAND_SZ',
  3: 'REG_BINARY',
  4: 'REG_DWORD',
  5: 'REG_DWORD_BIG_ENDIAN',
  6: 'REG_LINK',
  7: 'REG_MULTI_SZ',
  8: 'REG_RESOURCE_LIST',
  9: 'REG_FULL_RESOURCE_DESCRIPTOR',
  10: 'REG_RESOURCE_REQUIREMENTS_LIST',
  11: 'REG_QWORD',
};

/** "HKEY_LOCAL_MACHINE\Software\Policies\" and "HKLM:\SOFTWARE\Policies" both become "HKLM\SOFTWARE\POLICIES". */
export function normaliseKey(path: string): string {
  const parts = path
    .trim()
    .replace(/\//g, '\\')
    .split('\\')
    .filter((p) => p !== '');
  const head = (parts[0] ?? '').replace(/:$/, '').toUpperCase();
  parts[0] = HIVES[head] ?? head;
  return parts.join('\\').toUpperCase();
}

export function parseRegFile(text: string): RegFile {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let version: 4 | 5 | undefined;
  const out: RegFile = { keys: new Map(), deletedKeys: new Set(), version: 5, notes: [] };
  const notes = cappedNotes(out.notes);
  /** Line at which each key was (re)created, to tell whether a later `[-KEY]` above it removed it. */
  const born = new Map<string, number>();
  const deletions = new Deletions();
  let values = 0;
  let key: string | undefined;
  const stop = (why: string) => {
    out.partial = why;
    return false;
  };

  const handle = (line: string, lineNo: number): boolean => {
    const t = line.trim();
    if (t === '' || t.startsWith(';')) return true;
    if (t.startsWith('[')) {
      if (!t.endsWith(']')) {
        notes.add(`line ${lineNo}: key line without closing "]"; the values below it are ignored`);
        key = undefined;
        return true;
      }
      if (t.startsWith('[-')) {
        const gone = normaliseKey(t.slice(2, -1));
        out.deletedKeys.add(gone);
        // A deletion also removes every subkey this file set earlier: recorded here, applied by line number
        // when a key is entered again and at the end (a scan of every key per deletion is quadratic).
        deletions.delete(gone, lineNo);
        key = undefined;
        if (deletions.size > LIMITS.host.regKeys) return stop(`more than ${LIMITS.host.regKeys.toLocaleString('en-US')} key names in [-KEY] lines (limit)`);
        return true;
      }
      key = normaliseKey(t.slice(1, -1));
      const had = out.keys.get(key);
      if (had && deletions.latest(key) > (born.get(key) ?? 0)) {
        had.clear(); // deleted since it was last entered: it starts empty again
        born.set(key, lineNo);
      } else if (!had) {
        if (out.keys.size >= LIMITS.host.regKeys) return stop(`more than ${LIMITS.host.regKeys.toLocaleString('en-US')} keys (limit)`);
        out.keys.set(key, new Map());
        born.set(key, lineNo);
      }
      return true;
    }
    if (key === undefined) {
      notes.add(`line ${lineNo}: value outside a [key] section; ignored`);
      return true;
    }
    const v = parseValueLine(t, version as 4 | 5);
    if ('error' in v) {
      notes.add(`line ${lineNo}: ${v.error}`);
      return true;
    }
    if (v.note) notes.add(`line ${lineNo}: ${v.note}`);
    const map = out.keys.get(key)!;
    const name = v.value.name.toLowerCase();
    if (!map.has(name) && ++values > LIMITS.host.regValues) return stop(`more than ${LIMITS.host.regValues.toLocaleString('en-US')} values (limit)`);
    map.set(name, v.value);
    return true;
  };

  // reg.exe wraps long hex data: a trailing backslash, then the next line indented by two spaces. The parts
  // are gathered and joined once (joining as they come re-copies the line each time: quadratic).
  let cont: { parts: string[]; lineNo: number } | undefined;
  forEachLine(src, (raw, lineNo) => {
    if (version === undefined) {
      const header = raw.trim();
      if (header === '') return true;
      if (header === 'Windows Registry Editor Version 5.00') version = 5;
      else if (header === 'REGEDIT4') version = 4;
      else throw new Error(NOT_REG);
      out.version = version;
      return true;
    }
    const end = raw.trimEnd();
    const wraps = end.endsWith('\\');
    if (cont) {
      cont.parts.push(wraps ? end.slice(0, -1).trim() : raw.trim());
      if (wraps) return true;
      const joined = cont.parts.join('');
      const first = cont.lineNo;
      cont = undefined;
      return handle(joined, first);
    }
    if (wraps && /=\s*hex/i.test(raw)) {
      cont = { parts: [end.slice(0, -1)], lineNo };
      return true;
    }
    return handle(raw, lineNo);
  });
  if (version === undefined) throw new Error(NOT_REG);
  if (cont) notes.add(`line ${cont.lineNo}: the file ends inside the hex data of this value (a "\\" continuation); ignored`);
  // Keys removed by a later [-KEY] above them.
  if (deletions.size) for (const [k, line] of born) if (deletions.latest(k) > line) out.keys.delete(k);
  if (out.partial) notes.add(`${out.partial}: the rest of the file is not read; a value it does not set before that point is unknown`);
  notes.end();
  return out;
}

const NOT_REG = 'not a .reg export (the first line must be "Windows Registry Editor Version 5.00" or "REGEDIT4")';

/**
 * `[-KEY]` lines by path, so that whether a key was deleted after it was created costs one walk over its
 * parts (a lookup per part, each on a short string), never a scan of every key.
 */
class Deletions {
  /** `${id of the parent path}\\${PART}` → id of that path. */
  private ids = new Map<string, number>();
  /** Id → line of the latest deletion of exactly that path (0: only a prefix of a deleted path). */
  private at: number[] = [0];

  get size(): number {
    return this.ids.size;
  }

  delete(key: string, line: number): void {
    let id = 0;
    for (const part of key.split('\\')) {
      const k = `${id}\\${part}`;
      let next = this.ids.get(k);
      if (next === undefined) {
        next = this.at.length;
        this.ids.set(k, next);
        this.at.push(0);
      }
      id = next;
    }
    this.at[id] = line;
  }

  /** The line of the latest deletion of key or of a key above it; 0 when none. */
  latest(key: string): number {
    if (this.ids.size === 0) return 0;
    let id = 0;
    let max = 0;
    for (const part of key.split('\\')) {
      const next = this.ids.get(`${id}\\${part}`);
      if (next === undefined) break; // no deleted path continues below here
      id = next;
      max = Math.max(max, this.at[id] ?? 0);
    }
    return max;
  }
}

type Parsed = { value: RegValue; note?: string } | { error: string };

function parseValueLine(t: string, version: 4 | 5): Parsed {
  let name: string;
  let rest: string;
  if (t.startsWith('@')) {
    name = '';
    rest = t.slice(1).trimStart();
  } else if (t.startsWith('"')) {
    const q = readQuoted(t, 0);
    if (!q) return { error: 'value name has no closing quote; ignored' };
    name = q.text;
    rest = t.slice(q.end).trimStart();
  } else return { error: `not a key, value or comment: "${t.slice(0, 60)}"; ignored` };
  if (!rest.startsWith('=')) return { error: `no "=" after the value name "${name}"; ignored` };
  const data = rest.slice(1).trim();
  if (data === '-') return { value: { name, type: 'REG_NONE', data: null } };
  if (data.startsWith('"')) {
    const q = readQuoted(data, 0);
    if (!q) return { error: `string data of "${name}" has no closing quote; ignored` };
    return { value: { name, type: 'REG_SZ', data: q.text } };
  }
  const dword = /^dword:([0-9a-fA-F]{1,8})$/.exec(data);
  if (dword) return { value: { name, type: 'REG_DWORD', data: parseInt(dword[1]!, 16) } };
  const hex = /^hex(?:\(([0-9a-fA-F]+)\))?:(.*)$/.exec(data);
  if (!hex) return { error: `data of "${name}" is neither a string, dword: nor hex: ("${data.slice(0, 40)}"); ignored` };
  const code = hex[1] === undefined ? 3 : parseInt(hex[1], 16);
  const bytes = hexBytes(hex[2]!);
  if (!bytes) return { error: `hex data of "${name}" is malformed; ignored` };
  return decodeHex(name, code, bytes, version);
}

/**
 * "4a,00,6f,00" → bytes in one pass (whitespace ignored, a trailing comma allowed), or undefined when malformed.
 * No split into an array of strings: a value continued over 200,000 lines is a few megabytes of text.
 */
function hexBytes(s: string): Uint8Array | undefined {
  const out = new Uint8Array((s.length + 1) >> 1);
  let n = 0;
  let digits = 0;
  let v = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) continue;
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d >= 0) {
      if (digits === 2) return undefined;
      v = v * 16 + d;
      digits++;
    } else if (c === 44 && digits > 0) {
      out[n++] = v;
      v = 0;
      digits = 0;
    } else return undefined;
  }
  if (digits) out[n++] = v;
  return out.subarray(0, n);
}

/** Reads a "…" string with the two escapes regedit writes (\\ and \"); returns the text and the index after it. */
function readQuoted(s: string, start: number): { text: string; end: number } | undefined {
  let text = '';
  for (let i = start + 1; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && (s[i + 1] === '\\' || s[i + 1] === '"')) {
      text += s[++i];
      continue;
    }
    if (c === '"') return { text, end: i + 1 };
    text += c;
  }
  return undefined;
}

function decodeHex(name: string, code: number, bytes: Uint8Array, version: 4 | 5): Parsed {
  const type = HEX_TYPES[code] ?? `REG_TYPE_${code}`;
  const str = (b: Uint8Array) => (version === 5 ? new TextDecoder('utf-16le').decode(b) : new TextDecoder('latin1').decode(b));
  switch (code) {
    case 1:
    case 2:
    case 6:
      return { value: { name, type, data: str(bytes).replace(/\0[\s\S]*$/, '') } };
    case 7: {
      const parts = str(bytes).replace(/\0+$/, '').split('\0');
      return { value: { name, type, data: parts.length === 1 && parts[0] === '' ? [] : parts } };
    }
    case 4:
    case 5: {
      if (bytes.length !== 4) return { value: { name, type, data: bytes }, note: `"${name}" is ${type} but holds ${bytes.length} bytes; kept as bytes` };
      const dv = new DataView(bytes.buffer, bytes.byteOffset, 4);
      return { value: { name, type, data: dv.getUint32(0, code === 4) } };
    }
    case 11: {
      if (bytes.length !== 8) return { value: { name, type, data: bytes }, note: `"${name}" is REG_QWORD but holds ${bytes.length} bytes; kept as bytes` };
      const big = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
      const note = big > BigInt(Number.MAX_SAFE_INTEGER) ? `"${name}" = ${big} is larger than a JavaScript number holds exactly; rounded` : undefined;
      return note ? { value: { name, type, data: Number(big) }, note } : { value: { name, type, data: Number(big) } };
    }
    default:
      return { value: { name, type, data: bytes } };
  }
}

/** The value as the file sets it (a deleted value is returned with data null). */
export function regValue(reg: RegFile, key: string, name: string): RegValue | undefined {
  return reg.keys.get(normaliseKey(key))?.get(name.toLowerCase());
}

/**
 * The data of a policy value, or undefined when the file does not set it (absent or deleted).
 * `name` '' reads the default value.
 */
export function policyValue(reg: RegFile, key: string, name: string): RegData | undefined {
  return regValue(reg, key, name)?.data ?? undefined;
}
