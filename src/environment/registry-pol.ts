/**
 * registry.pol: the administrative-template settings of a GPO (Microsoft, "Registry Policy File Format",
 * https://learn.microsoft.com/en-us/previous-versions/windows/desktop/policy/registry-policy-file-format ):
 * the signature "PReg", version 1 (DWORD, little-endian), then entries `[key;value;type;size;data]` in which
 * the brackets and semicolons are UTF-16LE characters, key and value are NUL-terminated UTF-16LE strings,
 * type and size are DWORDs and data is `size` raw bytes. Keys are relative to the hive the file belongs to
 * (Machine\registry.pol: HKLM).
 *
 * The file comes from whoever made the backup: `size` is never trusted beyond the bytes there are, and the
 * number of entries is bounded. A file cut short is returned as partial (what it sets after the cut is
 * unknown, so a value not found is unknown too); only a wrong signature or version throws, because then the
 * file is something else and every "setting" read from it would be invented.
 */
import { LIMITS } from '../limits.js';

export interface PolEntry {
  /** As written (relative to the hive), e.g. Software\Policies\Microsoft\Windows\PowerShell\ScriptBlockLogging. */
  key: string;
  /** Value name as written; the special names (**del.X, **delvals., **DeleteValues …) are kept as they are. */
  value: string;
  type: number;
  /** Bytes of data the entry declares (and holds: never more than the file has). */
  size: number;
  /** REG_SZ / REG_EXPAND_SZ: string; REG_DWORD (LE or BE) and REG_QWORD: number; REG_MULTI_SZ: string[]; else bytes. */
  data: string | number | string[] | Uint8Array;
}

export interface RegistryPol {
  entries: PolEntry[];
  /** Set when the file could not be read to its end (why, with the byte offset): later entries are unknown. */
  partial?: string;
}

const OPEN = 0x5b; // '['
const SEMI = 0x3b; // ';'
const CLOSE = 0x5d; // ']'

export function parseRegistryPol(buf: Uint8Array): RegistryPol {
  if (buf.length < 8 || buf[0] !== 0x50 || buf[1] !== 0x52 || buf[2] !== 0x65 || buf[3] !== 0x67) {
    throw new Error('not a registry.pol file (it does not start with the "PReg" signature)');
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const version = view.getUint32(4, true);
  if (version !== 1) throw new Error(`registry.pol version ${version} is not the documented version 1`);

  const out: RegistryPol = { entries: [] };
  let pos = 8;
  let start = 8;
  const char = (at: number) => (at + 1 < buf.length ? view.getUint16(at, true) : -1);
  /** A NUL-terminated UTF-16LE string from `pos`; undefined when the buffer ends first. */
  const str = (): string | undefined => {
    let end = pos;
    while (end + 1 < buf.length && view.getUint16(end, true) !== 0) end += 2;
    if (end + 1 >= buf.length) return undefined;
    const s = Buffer.from(buf.buffer, buf.byteOffset + pos, end - pos).toString('utf16le');
    pos = end + 2;
    return s;
  };
  const expect = (c: number) => {
    if (char(pos) !== c) return false;
    pos += 2;
    return true;
  };
  const stop = (why: string) => {
    out.partial = `entry ${out.entries.length + 1} (from byte ${start}): ${why}; it and the entries after it are not read`;
    return out;
  };

  while (pos < buf.length) {
    start = pos;
    if (out.entries.length >= LIMITS.host.regValues) return stop(`more than ${LIMITS.host.regValues.toLocaleString('en-US')} entries (limit)`);
    if (buf.length - pos === 1) return stop('a stray byte at the end of the file');
    if (!expect(OPEN)) return stop('"[" expected');
    const key = str();
    if (key === undefined || !expect(SEMI)) return stop('the key name is cut off');
    const value = str();
    if (value === undefined || !expect(SEMI)) return stop('the value name is cut off');
    if (pos + 10 > buf.length) return stop('the type and size are cut off');
    const type = view.getUint32(pos, true);
    pos += 4;
    if (!expect(SEMI)) return stop('";" expected after the type');
    const size = view.getUint32(pos, true);
    pos += 4;
    if (!expect(SEMI)) return stop('";" expected after the size');
    // The declared size is checked against what is left, never allocated or trusted as it is.
    if (size > buf.length - pos) return stop(`the data is declared as ${size} bytes but only ${buf.length - pos} remain`);
    const data = decode(type, buf.subarray(pos, pos + size));
    pos += size;
    if (!expect(CLOSE)) return stop('"]" expected after the data');
    out.entries.push({ key, value, type, size, data });
  }
  return out;
}

/** Value types ([MS-RRP] 2.2.5): 1 REG_SZ, 2 REG_EXPAND_SZ, 4 REG_DWORD, 5 REG_DWORD_BIG_ENDIAN, 7 REG_MULTI_SZ, 11 REG_QWORD. */
function decode(type: number, b: Uint8Array): PolEntry['data'] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const text = () => Buffer.from(b.buffer, b.byteOffset, b.byteLength - (b.byteLength % 2)).toString('utf16le');
  if (type === 1 || type === 2) return text().replace(/\0+$/, '');
  if (type === 4 && b.length >= 4) return dv.getUint32(0, true);
  if (type === 5 && b.length >= 4) return dv.getUint32(0, false);
  if (type === 11 && b.length >= 8) return Number(dv.getBigUint64(0, true));
  if (type === 7) return text().replace(/\0+$/, '').split('\0');
  return b.slice();
}

/** Registry type names as .reg files and the catalog write them. */
export function typeName(type: number): string {
  return (
    (
      {
        0: 'REG_NONE',
        1: 'REG_SZ',
        2: 'REG_EXPAND_SZ',
        3: 'REG_BINARY',
        4: 'REG_DWORD',
        5: 'REG_DWORD_BIG_ENDIAN',
        7: 'REG_MULTI_SZ',
        11: 'REG_QWORD',
      } as Record<number, string>
    )[type] ?? `type ${type}`
  );
}
