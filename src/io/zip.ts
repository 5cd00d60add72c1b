/**
 * Reading .zip archives (rule sets, host snapshots) within limits. The central directory is read as PKWARE's
 * APPNOTE.TXT describes it (end-of-central-directory record, central file headers, local headers); entries are
 * inflated by Node's zlib with an output bound, so a declared size is never trusted: an entry that inflates
 * past its declared size, the per-file cap or the archive's budget, a ratio above the limit, a bad CRC-32, an
 * encrypted entry, a name leaving the archive or a duplicate name is refused with one line, and the other
 * entries are still read.
 */
import * as zlib from 'node:zlib';
import { LIMITS } from '../limits.js';
import { crc32 } from './crc32.js';

export interface ZipEntry {
  /** Normalised name inside the archive ("rules/a.yml"), never absolute, never with "..". */
  name: string;
  data: Uint8Array;
}

export interface ZipResult {
  entries: ZipEntry[];
  /** Per-entry problems: { name, message }. */
  problems: { name: string; message: string }[];
}

/** Reads every entry `accept` wants (by normalised name), each at most `maxEntryBytes` inflated. */
export function readZip(buf: Buffer, accept: (name: string) => boolean, maxEntryBytes: number): ZipResult {
  const out: ZipResult = { entries: [], problems: [] };
  const eocd = findEocd(buf);
  if (eocd < 0) throw new Error('not a zip archive (no end-of-central-directory record)');
  const count = buf.readUInt16LE(eocd + 10);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count > LIMITS.zipEntries) throw new Error(`${count} entries, more than the ${LIMITS.zipEntries} an archive may hold (limit)`);
  let p = cdOffset;
  let budget = LIMITS.zipInflatedBytes;
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw new Error('damaged central directory');
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const compressed = buf.readUInt32LE(p + 20);
    const declared = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const raw = buf.subarray(p + 46, p + 46 + nameLen).toString((flags & 0x800) !== 0 ? 'utf8' : 'latin1');
    p += 46 + nameLen + extraLen + commentLen;
    if (raw.endsWith('/')) continue; // a directory
    const name = normalise(raw);
    if (name === undefined) {
      out.problems.push({ name: raw, message: 'entry name leaves the archive (absolute or ".."); skipped' });
      continue;
    }
    if (!accept(name)) continue;
    const problem = (message: string) => out.problems.push({ name, message });
    if (seen.has(name)) {
      problem('a second entry with this name; skipped');
      continue;
    }
    seen.add(name);
    if ((flags & 1) !== 0) {
      problem('entry is encrypted; skipped');
      continue;
    }
    if (method !== 0 && method !== 8) {
      problem(`compression method ${method} is not stored or deflate; skipped`);
      continue;
    }
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50) {
      problem('damaged local header; skipped');
      continue;
    }
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const body = buf.subarray(start, start + compressed);
    if (body.length !== compressed) {
      problem('entry runs past the end of the archive; skipped');
      continue;
    }
    if (budget <= 0) {
      problem(`the archive's inflate budget of ${LIMITS.zipInflatedBytes} bytes is spent (limit); skipped`);
      continue;
    }
    const cap = Math.min(maxEntryBytes, budget, Math.max(compressed, 1) * LIMITS.zipRatio);
    let data: Buffer;
    try {
      data = method === 0 ? body : zlib.inflateRawSync(body, { maxOutputLength: cap + 1 });
    } catch (e) {
      // Work spent on a refused entry counts too: 2,000 look-alike bombs cost one budget, not 2,000 caps.
      budget -= cap;
      problem(
        (e as Error).name === 'RangeError'
          ? `inflates past ${cap} bytes (per-file cap, archive budget or ${LIMITS.zipRatio}:1 ratio; limit); skipped`
          : `cannot inflate: ${(e as Error).message}; skipped`,
      );
      continue;
    }
    if (data.length > cap) {
      problem(`inflates past ${cap} bytes (limit); skipped`);
      continue;
    }
    if (data.length !== declared) problem(`declares ${declared} bytes but holds ${data.length}; read as it is`);
    if (crc32(data) !== crc) {
      problem('CRC-32 does not match: the entry is damaged; skipped');
      continue;
    }
    budget -= data.length;
    out.entries.push({ name, data });
  }
  return out;
}

/** "a/./b/../c.yml" → "a/c.yml"; undefined for a name that is absolute or climbs out. */
function normalise(name: string): string | undefined {
  const parts: string[] = [];
  if (/^([a-z]:)?[\\/]/i.test(name)) return undefined;
  for (const seg of name.split(/[\\/]+/)) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (!parts.length) return undefined;
      parts.pop();
    } else parts.push(seg);
  }
  return parts.length ? parts.join('/') : undefined;
}

function findEocd(buf: Buffer): number {
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) if (buf.readUInt32LE(i) === 0x06054b50) return i;
  return -1;
}
