/** BinXml substitution values (MS-EVEN6 2.2.12 value types) decoded as the XML rendering would show them. */

/** FILETIME (100 ns since 1601) to ms since 1970; NaN outside years 1601–9999 so ISO strings stay sortable. */
export function filetimeMs(c: Buffer, off: number): number {
  // hi·2^32 + lo exceeds 2^53: with 2^32 = 429496·10000 + 7296, both products stay exact, so the ms are
  // truncated like the 100 ns value itself and never rounded up into the next millisecond
  const hi = c.readUInt32LE(off + 4);
  const ms = hi * 429496 + Math.floor((hi * 7296 + c.readUInt32LE(off)) / 10000) - 11644473600000;
  return ms <= 253402300799999 ? ms : NaN;
}

function systemtimeMs(c: Buffer, off: number): number {
  const [y, mo, , d, h, mi, s, ms] = [0, 2, 4, 6, 8, 10, 12, 14].map((k): number => c.readUInt16LE(off + k));
  if (y! < 1601 || y! > 9999 || mo! < 1 || mo! > 12 || d! < 1 || d! > 31 || h! > 23 || mi! > 59 || s! > 59 || ms! > 999) return NaN;
  return Date.UTC(y!, mo! - 1, d, h, mi, s, ms);
}

function utf16(c: Buffer, off: number, bytes: number, maxChars: number): string {
  let e = off + Math.min(bytes & ~1, maxChars * 2);
  while (e > off && c[e - 1] === 0 && c[e - 2] === 0) e -= 2; // values often keep their terminating NUL
  return c.toString('utf16le', off, e);
}

const hex = (n: number | bigint) => `0x${n.toString(16)}`;

/** Sizes of the fixed-size value types decoded below. */
const FIXED: Record<number, number> = { 3: 1, 4: 1, 5: 2, 6: 2, 7: 4, 8: 4, 9: 8, 10: 8, 17: 8, 18: 16, 20: 4, 21: 8 };

/**
 * One substitution value as the XML rendering would show it, for the types System fields use (strings,
 * integers, times); undefined for NULL, arrays, other types (GUID, SID, binary …) and sizes that do not fit.
 */
export function decode(c: Buffer, off: number, size: number, type: number, maxChars: number): string | undefined {
  const want = FIXED[type];
  if (want !== undefined && size !== want) return undefined;
  switch (type) {
    case 0x01:
      return utf16(c, off, size, maxChars);
    case 0x02:
      return c.toString('latin1', off, off + Math.min(size, maxChars)).replace(/\0+$/, '');
    case 0x03:
    case 0x05:
    case 0x07:
      return String(c.readIntLE(off, size)); // int8, int16, int32
    case 0x04:
    case 0x06:
    case 0x08:
      return String(c.readUIntLE(off, size)); // uint8 …
    case 0x09:
      return String(c.readBigInt64LE(off));
    case 0x0a:
      return String(c.readBigUInt64LE(off));
    case 0x11:
    case 0x12: {
      const ms = type === 0x11 ? filetimeMs(c, off) : systemtimeMs(c, off);
      return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
    }
    case 0x10:
      return size === 4 ? hex(c.readUInt32LE(off)) : size === 8 ? hex(c.readBigUInt64LE(off)) : undefined;
    case 0x14:
      return hex(c.readUInt32LE(off));
    case 0x15:
      return hex(c.readBigUInt64LE(off));
    default:
      return undefined;
  }
}
