/**
 * `.reg` exports (`reg export`, regedit): the registry policies a host really has, whatever wrote them
 * (Group Policy, MDM/Intune, a script). The text is already decoded (reg export writes UTF-16 LE with BOM,
 * `decodeText` handles it). Content problems become notes with line numbers; only a missing header throws,
 * because then the file is something else entirely and every "value" read from it would be invented.
 */

export type RegType =
  | 'REG_SZ'
  | 'REG_DWORD'
  | 'REG_QWORD'
  | 'REG_BINARY'
  | 'REG_EXPAND_SZ'
  | 'REG_MULTI_SZ'
  | 'REG_NONE'
  | string;

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
  const parts = path.trim().replace(/\//g, '\\').split('\\').filter((p) => p !== '');
  const head = (parts[0] ?? '').replace(/:$/, '').toUpperCase();
  parts[0] = HIVES[head] ?? head;
  return parts.join('\\').toUpperCase();
}

export function parseRegFile(text: string): RegFile {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = src.split(/\r\n|\n|\r/);
  let first = 0;
  while (first < lines.length && lines[first]!.trim() === '') first++;
  const header = (lines[first] ?? '').trim();
  let version: 4 | 5;
  if (header === 'Windows Registry Editor Version 5.00') version = 5;
  else if (header === 'REGEDIT4') version = 4;
  else throw new Error('not a .reg export (the first line must be "Windows Registry Editor Version 5.00" or "REGEDIT4")');

  const out: RegFile = { keys: new Map(), deletedKeys: new Set(), version, notes: [] };
  let key: string | undefined;
  for (let i = first + 1; i < lines.length; i++) {
    const lineNo = i + 1;
    let line = lines[i]!;
    // reg.exe wraps long hex data: a trailing backslash, then the next line indented by two spaces.
    while (/^\s*"?.*=\s*hex.*\\\s*$/i.test(line) && i + 1 < lines.length) line = line.replace(/\\\s*$/, '') + lines[++i]!.trim();
    const t = line.trim();
    if (t === '' || t.startsWith(';')) continue;
    if (t.startsWith('[')) {
      if (!t.endsWith(']')) {
        out.notes.push(`line ${lineNo}: key line without closing "]"; the values below it are ignored`);
        key = undefined;
        continue;
      }
      if (t.startsWith('[-')) {
        const gone = normaliseKey(t.slice(2, -1));
        out.deletedKeys.add(gone);
        // A deletion also removes every subkey this file set earlier.
        for (const k of [...out.keys.keys()]) if (k === gone || k.startsWith(`${gone}\\`)) out.keys.delete(k);
        key = undefined;
        continue;
      }
      key = normaliseKey(t.slice(1, -1));
      if (!out.keys.has(key)) out.keys.set(key, new Map());
      continue;
    }
    if (key === undefined) {
      out.notes.push(`line ${lineNo}: value outside a [key] section; ignored`);
      continue;
    }
    const v = parseValueLine(t, version);
    if ('error' in v) {
      out.notes.push(`line ${lineNo}: ${v.error}`);
      continue;
    }
    if (v.note) out.notes.push(`line ${lineNo}: ${v.note}`);
    out.keys.get(key)!.set(v.value.name.toLowerCase(), v.value);
  }
  return out;
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
  const body = hex[2]!.replace(/\s+/g, '');
  if (body !== '' && !/^[0-9a-fA-F]{1,2}(,[0-9a-fA-F]{1,2})*,?$/.test(body)) return { error: `hex data of "${name}" is malformed; ignored` };
  const bytes = Uint8Array.from(body.split(',').filter((b) => b !== ''), (b) => parseInt(b, 16));
  return decodeHex(name, code, bytes, version);
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
