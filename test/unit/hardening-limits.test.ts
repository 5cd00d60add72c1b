/**
 * Hardening, round 2 (regressions of the cases a campaign of hostile inputs found): every run ends within
 * 10 s with one line naming the file and the limit, and hostile text cannot change what a reader sees.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readZip } from '../../src/io/zip.js';
import { CLI, ROOT } from '../helpers.js';

const RULE = readFileSync(join(ROOT, 'examples/rules/windows/proc_creation_certutil_download.yml'), 'utf8');

/** The CLI with a 10 s bound; the test fails (not hangs) when a run takes longer. */
function bounded(args: string[], env: Record<string, string> = {}) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    timeout: 10_000,
    env: { ...process.env, NO_COLOR: '1', ...env },
    maxBuffer: 1 << 26,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0, signal: r.signal };
}
const dir = () => mkdtempSync(join(tmpdir(), 'lsc-hard-'));
const mkfifo = (p: string) => spawnSync('mkfifo', [p]).status === 0;

describe('bounded resources', () => {
  it('FIFOs and devices are refused without blocking: as the rule path, in a host-input directory, as the parse cache', () => {
    const d = dir();
    writeFileSync(join(d, 'ok.yml'), RULE);
    if (!mkfifo(join(d, 'fifo.yml'))) return;
    mkdirSync(join(d, 'gp'));
    mkfifo(join(d, 'gp', 'a.xml'));
    symlinkSync('/dev/zero', join(d, 'gp', 'zero.xml'));
    writeFileSync(join(d, 'gp', 'host.xml'), readFileSync(join(ROOT, 'test/fixtures/environment/gpresult-ps7.xml')));
    mkdirSync(join(d, 'cache'));
    mkfifo(join(d, 'cache', 'parse-cache.json'));
    const r = bounded([join(d, 'fifo.yml'), join(d, 'ok.yml'), '--gpresult', join(d, 'gp')], { LOGSOURCE_CHECK_CACHE_DIR: join(d, 'cache') });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/fifo.yml: not a regular file \(a FIFO\); skipped/);
    expect(r.stdout).toMatch(/gp\/a.xml: not a regular file \(a FIFO\); skipped/);
    expect(r.stdout).toMatch(/gp\/zero.xml: resolves to \/dev\/zero, under \/dev: not read/);
  });

  it('a link to / or /proc inside a rule directory is not followed; 1,500 nested directories stop at the depth limit', () => {
    const d = dir();
    mkdirSync(join(d, 'rules'));
    writeFileSync(join(d, 'rules', 'ok.yml'), RULE);
    symlinkSync('/', join(d, 'rules', 'root'));
    symlinkSync('/proc', join(d, 'rules', 'proc'));
    let deep = join(d, 'rules', 'deep');
    for (let i = 0; i < 1500; i++) deep = join(deep, 'd');
    mkdirSync(deep, { recursive: true });
    const r = bounded([join(d, 'rules')]);
    expect(r.signal).toBeNull();
    expect(r.ms).toBeLessThan(10_000);
    expect(r.stdout).toMatch(/rules\/root: symbolic link to \/, outside .*: not followed/);
    expect(r.stdout).toMatch(/rules\/proc: symbolic link to \/proc, outside .*: not followed/);
    expect(r.stdout).toMatch(/more than 64 directory levels \(limit\); not walked further/);
    expect(r.stdout).toMatch(/1 rules scanned/);
  });

  it('zip: a bomb of look-alike entries, names leaving the archive, encryption and bad CRC are refused per entry', () => {
    // One 8 MiB entry of zeros (~8 KB deflated), its central record repeated 2,000 times under other names.
    const one = Buffer.from(zipSync({ 'z.yml': new Uint8Array(8 * 1048576) }, { level: 9 }));
    const eocd = one.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    const cdStart = one.readUInt32LE(eocd + 16);
    const rec = one.subarray(cdStart, eocd);
    const records: Buffer[] = [];
    for (let i = 0; i < 2000; i++) {
      const r = Buffer.from(rec);
      r.write(`${i.toString(36).padStart(3, '0')}.y`, 46, 'latin1'); // unique 5-byte names in place of z.yml
      records.push(r);
    }
    const cd = Buffer.concat(records);
    const end = Buffer.from(one.subarray(eocd));
    end.writeUInt16LE(2000, 8);
    end.writeUInt16LE(2000, 10);
    end.writeUInt32LE(cd.length, 12);
    end.writeUInt32LE(cdStart, 16);
    const bomb = Buffer.concat([one.subarray(0, cdStart), cd, end]);
    const t0 = Date.now();
    const res = readZip(bomb, () => true, 8 * 1048576);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(res.entries).toEqual([]);
    expect(res.problems.length).toBeGreaterThan(0);
    expect(res.problems[0]!.message).toMatch(/inflates past \d+ bytes .*1000:1 ratio; limit/);
    expect(res.problems.at(-1)!.message).toMatch(/inflate budget of \d+ bytes is spent \(limit\)/);

    const evil = Buffer.from(
      zipSync({ 'ok.yml': Buffer.from(RULE), 'x/../../etc/passwd.yml': Buffer.from(RULE), 'enc.yml': Buffer.from(RULE), 'crc.yml': Buffer.from(RULE) }),
    );
    // set the encryption flag of enc.yml and break the CRC of crc.yml in the central directory
    let p = evil.readUInt32LE(evil.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06])) + 16);
    while (evil.readUInt32LE(p) === 0x02014b50) {
      const nameLen = evil.readUInt16LE(p + 28);
      const name = evil.subarray(p + 46, p + 46 + nameLen).toString();
      if (name === 'enc.yml') evil.writeUInt16LE(evil.readUInt16LE(p + 8) | 1, p + 8);
      if (name === 'crc.yml') evil.writeUInt32LE((evil.readUInt32LE(p + 16) ^ 1) >>> 0, p + 16);
      p += 46 + nameLen + evil.readUInt16LE(p + 30) + evil.readUInt16LE(p + 32);
    }
    const r2 = readZip(evil, () => true, 8 * 1048576);
    expect(r2.entries.map((e) => e.name)).toEqual(['ok.yml']);
    expect(r2.problems).toEqual(
      expect.arrayContaining([
        { name: 'x/../../etc/passwd.yml', message: 'entry name leaves the archive (absolute or ".."); skipped' },
        { name: 'enc.yml', message: 'entry is encrypted; skipped' },
        { name: 'crc.yml', message: 'CRC-32 does not match: the entry is damaged; skipped' },
      ]),
    );
  });

  it('a rule with a 3.5-million-item flow sequence is refused before parsing; winlogbeat.yml is linear', () => {
    const d = dir();
    writeFileSync(join(d, 'big.yml'), `title: x\nlogsource: {product: windows}\ndetection:\n  s: {a: [${'1,'.repeat(3_500_000)}1]}\n  condition: s\n`);
    const r = bounded([join(d, 'big.yml'), join(ROOT, 'examples/rules/windows/proc_creation_certutil_download.yml')]);
    expect(r.signal).toBeNull();
    expect(r.stdout).toMatch(/big.yml: more than 100000 YAML items \(\d+ separators; limit\); skipped/);
    const wlb = ['winlogbeat.event_logs:', ...Array.from({ length: 40_000 }, (_, i) => `  - name: Security\n    event_id: ${i % 60_000}`)].join('\n');
    writeFileSync(join(d, 'winlogbeat.yml'), `${wlb}\n`);
    const w = bounded([join(ROOT, 'examples/rules'), '--collector', join(d, 'winlogbeat.yml'), '--format', 'json']);
    expect(w.signal).toBeNull();
    expect(w.ms).toBeLessThan(10_000);
    expect(JSON.parse(w.stdout).readiness.channels.find((c: { channel: string }) => c.channel === 'Security').forwarded).toMatch(/^0-39999/);
  });

  it('fix --out never writes through a link or into /proc', () => {
    const d = dir();
    mkdirSync(join(d, 'out'));
    symlinkSync(join(d, 'elsewhere.cmd'), join(d, 'out', 'enable-audit.cmd'));
    const gp = join(ROOT, 'test/fixtures/environment/gpresult-ps7.xml');
    const r = bounded(['fix', join(ROOT, 'examples/rules'), '--gpresult', gp, '--out', join(d, 'out')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/enable-audit.cmd is a symbolic link: not written through/);
    const proc = bounded(['fix', join(ROOT, 'examples/rules'), '--gpresult', gp, '--out', '/proc/x']);
    expect(proc.signal).toBeNull();
    expect(proc.status).toBe(2);
    expect(proc.stderr).toMatch(/under \/proc: not read/);
  });
});

describe('output that hostile text cannot break', () => {
  const d = dir();
  const title = '=HYPERLINK("http://x")\u001b]0;owned\u0007 <script>alert(1)</script> --> ]]> [x](javascript:alert(1))';
  writeFileSync(
    join(d, 'evil.yml'),
    RULE.replace(
      /^title: .*$/m,
      `title: "${title
        .replace(/\u001b/g, '\\e')
        .replace(/\u0007/g, '\\a')
        .replace(/"/g, '\\"')}"`,
    ),
  );
  it('terminal: no escape sequence from rule data reaches the screen', () => {
    const r = bounded([join(d, 'evil.yml'), '--verbose']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('HYPERLINK');
    expect(r.stdout).not.toMatch(/\u001b|\u0007/);
  });
  it('CSV: a cell that starts like a formula is neutralised', () => {
    const r = bounded([join(d, 'evil.yml'), '--format', 'csv']);
    expect(r.stdout).toMatch(/,"?'=HYPERLINK/);
    expect(r.stdout).not.toMatch(/,"?=HYPERLINK/);
  });
  it('Markdown: no raw HTML, no javascript: link', () => {
    const r = bounded([join(d, 'evil.yml'), '--format', 'markdown', '--verbose']);
    expect(r.stdout).not.toContain('<script>');
    expect(r.stdout).toContain('&lt;script&gt;');
    expect(r.stdout).not.toMatch(/\]\(javascript:/);
  });
  it('sysmon-config --for-rule: a title with --> stays inside its comment', () => {
    const r = bounded(['sysmon-config', join(d, 'evil.yml'), '--for-rule']);
    const comment = r.stdout.split('\n')[0] as string;
    expect(comment.startsWith('<!-- ')).toBe(true);
    expect(comment.slice(4, -4)).not.toContain('--');
    expect(comment.endsWith(' -->')).toBe(true);
  });
});

describe('strict XML where Windows is strict', () => {
  it("what XML 1.0 forbids is an error with its line, as Windows' XML readers and Sysmon refuse it", async () => {
    const { parseXml } = await import('../../src/environment/xml.js');
    const bad: [string, RegExp][] = [
      ['<Sysmon schemaversion="4.90"><EventFiltering/></Sysmon><Sysmon/>', /exactly one root element/],
      ['<Sysmon a="x<y"><EventFiltering/></Sysmon>', /"<" inside an attribute value/],
      ['<Sysmon>\n<!-- a -- b -->\n</Sysmon>', /line 2: "--" inside a comment/],
      ['<Sysmon>&#0;</Sysmon>', /character reference &#0; names a character XML does not allow/],
      ['<Sysmon>&#xD800;</Sysmon>', /&#xD800;/],
      ['<Sysmon>\u0001</Sysmon>', /character U\+0001 is not allowed/],
    ];
    for (const [xml, why] of bad) expect(() => parseXml(xml), xml).toThrow(why);
    expect(parseXml('<?xml version="1.0"?>\n<!-- fine - comment -->\n<Sysmon a="x&lt;y">&#x41;</Sysmon>')).toBeTruthy();
  });
  it('a Sysmon config with a forbidden character is one error line naming the file, not assessed as if fine', () => {
    const d = dir();
    writeFileSync(
      join(d, 'sysmon.xml'),
      '<Sysmon schemaversion="4.90"><EventFiltering><ProcessCreate onmatch="exclude">\u0000</ProcessCreate></EventFiltering></Sysmon>',
    );
    const r = bounded([join(ROOT, 'examples/rules'), '--sysmon', join(d, 'sysmon.xml')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/sysmon.xml: XML error at line 1: character U\+0000 is not allowed in XML/);
  });
});

describe('structure, not text', () => {
  it('sysmon-config --base: markup inside comments is never taken for the root or </EventFiltering>', () => {
    const d = dir();
    writeFileSync(
      join(d, 'base.xml'),
      '<!-- old: <Sysmon schemaversion="3.0"> -->\n<Sysmon schemaversion="4.1">\n  <EventFiltering>\n  </EventFiltering>\n</Sysmon>\n<!-- trailer </EventFiltering> -->\n',
    );
    const r = bounded(['sysmon-config', join(ROOT, 'examples/rules'), '--base', join(d, 'base.xml')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('<!-- old: <Sysmon schemaversion="3.0"> -->');
    expect(r.stdout).toMatch(/\n<Sysmon schemaversion="4\.\d+">/);
    expect(r.stdout).not.toContain('<Sysmon schemaversion="4.1">');
    expect(r.stdout.trimEnd().endsWith('<!-- trailer </EventFiltering> -->')).toBe(true);
    expect(r.stdout.indexOf('<RuleGroup')).toBeLessThan(r.stdout.indexOf('</Sysmon>'));
  });
  it('an --include pattern picomatch cannot use is one line, exit 2', () => {
    const r = bounded([join(ROOT, 'examples/rules'), '--include', 'a'.repeat(100_000)]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^logsource-check: --include\/--exclude pattern of 100000 characters cannot be used/);
  });
});
