/** A fixed-seed slice of the fuzz suite (test/fuzz/fuzz.mjs; the whole run is `npm run fuzz -- --cases 2000`). */
import { describe, expect, it } from 'vitest';

describe('fuzz slice', () => {
  // With the encoding, control-character, link and pipeline classes (hardening round 3).
  it('40 hostile and malformed cases (seed 20261127): no crash, no run over 10 s or 512 MB, no invalid output', async () => {
    // @ts-expect-error — a plain ES module shared with `npm run fuzz`
    const { fuzz } = (await import('../fuzz/fuzz.mjs')) as {
      fuzz: (o: { cases: number; seed: number }) => Promise<{ failures: unknown[]; maxMs: number; maxMb: number }>;
    };
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
    // C0 (but tab, CR, LF), C1 and bidi controls, in every format; JSON's own \u escapes are text
    for (const [out, text] of [
      ['json', '{"t":"a\u202eb"}'],
      ['csv', 'a,b\u009b31m\n'],
      ['html', '<p>\u2066x\u2069</p>'],
      ['sarif', '{"x":"\u0085"}'],
      ['markdown', '| a\u0001 |'],
    ]) {
      await expect(check(out as string, text as string), out).rejects.toThrow(/control character/);
    }
    await expect(check('json', '{"t":"a\\u202eb\\u0001","u":"\\tx\\r\\n"}')).resolves.toBeUndefined();
    await expect(check('csv', 'a,"b\tc\r\nd"\r\n')).resolves.toBeUndefined();
  });

  it('its generated-file checks catch a wrong encoding and a broken PowerShell literal', async () => {
    // @ts-expect-error — a plain ES module shared with `npm run fuzz`
    const { checkFile, cp1252 } = (await import('../fuzz/fuzz.mjs')) as { checkFile: (name: string, bytes: Buffer) => void; cp1252: (b: Buffer) => string };
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const ps1 = "Add-RegistryAudit 'HKLM:\\SOFTWARE\\RunВ'\r\n# Run Key В\r\nAdd-FileAudit 'C:\\it''s ‘’ here'\r\n$x = \"a 'b' c\"\r\n";
    expect(() => checkFile('a.ps1', Buffer.concat([bom, Buffer.from(ps1)]))).not.toThrow();
    // Cyrillic В is D0 92 in UTF-8; 0x92 is ’ in cp1252, which PowerShell 5.1 takes for a closing quote
    expect(cp1252(Buffer.from('В'))).toBe('Ð’');
    expect(() => checkFile('a.ps1', Buffer.from(ps1))).toThrow(/no UTF-8 BOM.*single-quoted literal runs past the end of its line/);
    expect(() => checkFile('a.ps1', Buffer.concat([bom, Buffer.from("Add-RegistryAudit 'x\u2019y'\r\n")]))).toThrow(/literal is broken/);
    expect(() => checkFile('a.ps1', Buffer.concat([bom, Buffer.from('# \u202e\r\n')]))).toThrow(/U\+202E/);
    expect(() => checkFile('enable-audit.cmd', Buffer.from('echo В\r\n'))).toThrow(/non-ASCII/);
    expect(() => checkFile('enable-audit.cmd', Buffer.from('@echo off\r\nrem \u0007\r\n'))).toThrow(/U\+0007/);
    expect(() => checkFile('a.reg', Buffer.from('Windows Registry Editor Version 5.00', 'utf16le'))).toThrow(/UTF-16LE BOM/);
    expect(() =>
      checkFile('a.reg', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Windows Registry Editor Version 5.00\r\n"x"="В"\r\n', 'utf16le')])),
    ).not.toThrow();
  });
});
