import { describe, expect, it } from 'vitest';
import { cacheKey, codeDigest } from '../../src/cache/key.js';
import { LIMITS } from '../../src/limits.js';

describe('cache key', () => {
  it('is stable within a process and differs per cache kind', () => {
    expect(cacheKey('parse', 'x')).toBe(cacheKey('parse', 'x'));
    expect(cacheKey('parse')).not.toBe(cacheKey('resolved'));
    expect(cacheKey('parse', 'yaml 2.8.1')).not.toBe(cacheKey('parse', 'yaml 2.8.2'));
    expect(codeDigest()).toMatch(/^[0-9a-f]{40}$/);
  });

  it('changes when a limit changes: a result read under other bounds is not served', () => {
    const before = cacheKey('parse');
    const limits = LIMITS as { ruleFileBytes: number };
    const saved = limits.ruleFileBytes;
    try {
      limits.ruleFileBytes = saved + 1;
      expect(cacheKey('parse')).not.toBe(before);
    } finally {
      limits.ruleFileBytes = saved;
    }
    expect(cacheKey('parse')).toBe(before);
  });
});
