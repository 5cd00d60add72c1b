import { describe, expect, it } from 'vitest';
import { crc32, crc32Portable } from '../../src/io/crc32.js';

describe('crc32', () => {
  // RFC 1952's check value: the CRC-32 of the ASCII digits "123456789" is 0xCBF43926.
  it('gives the standard check value, natively and from the table', () => {
    const digits = Buffer.from('123456789');
    expect(crc32(digits)).toBe(0xcbf43926);
    expect(crc32Portable(digits)).toBe(0xcbf43926);
  });
  it('continues from a previous value the same way in both', () => {
    const a = Buffer.from('ElfChnk\0 header part');
    const b = Buffer.from('second part of the header');
    expect(crc32(b, crc32(a))).toBe(crc32(Buffer.concat([a, b])));
    expect(crc32Portable(b, crc32Portable(a))).toBe(crc32(Buffer.concat([a, b])));
  });
});
