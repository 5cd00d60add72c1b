/**
 * CRC-32 (RFC 1952, polynomial 0xEDB88320) for the readers that check one: ZIP entries and EVTX headers and
 * chunks. zlib's native one where Node has it (20.15+), else a table built on first use.
 */
import zlib from 'node:zlib';

let table: Uint32Array | undefined;

function tableCrc32(data: Uint8Array, value = 0): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = ~value >>> 0;
  for (const b of data) c = (table[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** CRC-32 of data, continuing from `value` (the CRC of what came before) when given. */
export const crc32: (data: Uint8Array, value?: number) => number = native ? (data, value = 0) => native(data, value) >>> 0 : tableCrc32;

/** The table version, exported so a test proves it equal to zlib's. */
export const crc32Portable = tableCrc32;
