/** A fixed-seed slice of the fuzz suite (test/fuzz/fuzz.mjs; the whole run is `npm run fuzz -- --cases 2000`). */
import { describe, expect, it } from 'vitest';

describe('fuzz slice', () => {
  it('40 hostile and malformed cases (seed 20261127): no crash, no run over 10 s or 512 MB, no invalid output', async () => {
    // @ts-expect-error — a plain ES module shared with `npm run fuzz`
    const { fuzz } = (await import('../fuzz/fuzz.mjs')) as { fuzz: (o: { cases: number; seed: number }) => Promise<{ failures: unknown[]; maxMs: number; maxMb: number }> };
    const res = await fuzz({ cases: 40, seed: 20261127 });
    expect(res.failures).toEqual([]);
    expect(res.maxMs).toBeLessThan(10_000);
    expect(res.maxMb).toBeLessThan(512);
  }, 300_000);

  it('its output checks catch what they look for', async () => {
    // @ts-expect-error — a plain ES module shared with `npm run fuzz`
    const { check } = (await import('../fuzz/fuzz.mjs')) as { check: (out: string, text: string) => Promise<void> };
    await expect(check('json', '{"a":')).rejects.toThrow();
    await expect(check('csv', 'a,b\n=SUM(1),x\n')).rejects.toThrow(/formula/);
    await expect(check('markdown', '| <script>x</script> |')).rejects.toThrow(/raw HTML/);
    // Code is literal: XML in a fence or a code span passes, HTML after a closed fence or an escaped backtick does not.
    await expect(check('markdown', '```xml\n<ProcessCreate onmatch="exclude"/>\n```\n| `<a/>` |')).resolves.toBeUndefined();
    await expect(check('markdown', '```xml\n<a/>\n```\n<img src=x>')).rejects.toThrow(/raw HTML/);
    await expect(check('markdown', '\\`<img src=x>`')).rejects.toThrow(/raw HTML/);
    await expect(check('markdown', '[x](javascript:alert(1))')).rejects.toThrow(/javascript/);
    await expect(check('table', 'x\u001b]0;t\u0007')).rejects.toThrow(/escape sequence/);
    await expect(check('sysmon', '<Sysmon><!-- a -- b --></Sysmon>')).rejects.toThrow(/comment/);
    await expect(check('markdown', 'a<br>b &lt;script&gt;')).resolves.toBeUndefined();
  });
});
