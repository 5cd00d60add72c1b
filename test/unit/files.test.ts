import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { strToU8, zipSync } from 'fflate';
import { decodeText } from '../../src/io/decode.js';
import { collectRuleFiles } from '../../src/rules/files.js';
import { loadRules, OptionError } from '../../src/rules/load.js';

const RULE = (title: string, status = 'test', level = 'medium') =>
  `title: ${title}\nstatus: ${status}\nlevel: ${level}\nlogsource: {product: windows, category: process_creation}\ndetection: {s: {Image: x}, condition: s}\n`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lsc-files-'));
  mkdirSync(join(dir, 'rules/sub'), { recursive: true });
  writeFileSync(join(dir, 'rules/a.yml'), RULE('A'));
  writeFileSync(join(dir, 'rules/sub/b.yaml'), RULE('B', 'deprecated'));
  writeFileSync(join(dir, 'rules/sub/c.yml'), RULE('C', 'stable', 'critical'));
  writeFileSync(join(dir, 'rules/readme.md'), '# not a rule');
  symlinkSync('..', join(dir, 'rules/sub/loop')); // points back up: a loop
  symlinkSync(join(dir, 'nowhere.yml'), join(dir, 'rules/dangling.yml'));
  if (process.platform === 'linux') symlinkSync('/proc/self/mem', join(dir, 'rules/unreadable.yml')); // EIO even for root
  writeFileSync(join(dir, 'rules.zip'), zipSync({ 'z/one.yml': strToU8(RULE('Z1')), 'z/notes.txt': strToU8('x') }));
});
afterAll(() => chmodSync(dir, 0o755));

describe('collecting rule files', () => {
  it('walks directories, follows symlinks, reports loops, dangling links and unreadable files', () => {
    const r = collectRuleFiles([join(dir, 'rules')]);
    const names = r.files.map((f) => f.path.slice(dir.length + 1)).sort();
    expect(names).toEqual(['rules/a.yml', 'rules/sub/b.yaml', 'rules/sub/c.yml']);
    const messages = r.errors.map((e) => `${e.path.slice(dir.length + 1)}: ${e.message}`).sort();
    expect(messages).toContainEqual(expect.stringMatching(/^rules\/dangling.yml: broken symbolic link/));
    expect(messages).toContainEqual(expect.stringMatching(/^rules\/sub\/loop: symbolic link loop/));
    // a link into /proc is never read (src/limits.ts)
    if (process.platform === 'linux')
      expect(messages).toContainEqual(expect.stringMatching(/^rules\/unreadable.yml: resolves to \/proc\/.*, under \/proc: not read/));
  });

  it('reports paths relative to the argument as given', () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      // From rules/sub the link "loop" leads to rules/, outside the argument: not followed (src/limits.ts).
      const r = collectRuleFiles(['rules/sub']);
      expect(r.files.map((f) => f.path)).toEqual(['rules/sub/b.yaml', 'rules/sub/c.yml']);
      expect(r.errors).toContainEqual({
        path: 'rules/sub/loop',
        message: expect.stringMatching(/^symbolic link to .*\/rules, outside .*\/rules\/sub: not followed$/),
      });
    } finally {
      process.chdir(cwd);
    }
  });

  it('reads rules inside zip archives and lists missing arguments', () => {
    const r = collectRuleFiles([join(dir, 'rules.zip'), join(dir, 'nope')]);
    expect(r.files.map((f) => f.path.slice(dir.length + 1))).toEqual(['rules.zip/z/one.yml']);
    expect(r.missing).toEqual([join(dir, 'nope')]);
  });

  it('decodes UTF-8 with BOM and UTF-16 files', () => {
    expect(decodeText(Buffer.from('\ufefftitle: x', 'utf8'))).toBe('title: x');
    expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('title: x', 'utf16le')]))).toBe('title: x');
    expect(decodeText(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('title: x', 'utf16le').swap16()]))).toBe('title: x');
    expect(decodeText(Buffer.from('<?xml?>', 'utf16le'))).toBe('<?xml?>'); // UTF-16 without BOM
  });

  it('UTF-16 in the Latin-1 range (made one-byte) decodes as TextDecoder decodes it, and so does the rest', () => {
    const samples = ['<Rsop>caf\u00e9 \u00ff\u0000</Rsop>', '<r>\u0100 \u4e2d \ud83d\ude00</r>', '<r>\ud800 lone</r>', '<a>ascii only</a>'];
    for (const text of samples) {
      const le = Buffer.from(text, 'utf16le');
      const be = Buffer.from(le).swap16();
      expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), le]))).toBe(new TextDecoder('utf-16le').decode(le));
      expect(decodeText(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toBe(new TextDecoder('utf-16be').decode(be));
      // A dangling odd byte: TextDecoder's replacement character, whatever the range.
      const odd = Buffer.concat([Buffer.from([0xff, 0xfe]), le, Buffer.from([0x41])]);
      expect(decodeText(odd)).toBe(new TextDecoder('utf-16le').decode(odd.subarray(2)));
    }
  });
});

describe('load filters', () => {
  it('skips deprecated and unsupported by default and keeps them with allStatuses', async () => {
    const def = await loadRules([join(dir, 'rules')]);
    expect(def.rules.map((r) => r.title).sort()).toEqual(['A', 'C']);
    expect(def.skipped.status).toBe(1);
    expect((await loadRules([join(dir, 'rules')], { allStatuses: true })).rules).toHaveLength(3);
  });

  it('applies min-status, min-level and include/exclude globs', async () => {
    expect((await loadRules([join(dir, 'rules')], { minStatus: 'stable' })).rules.map((r) => r.title)).toEqual(['C']);
    expect((await loadRules([join(dir, 'rules')], { minLevel: 'high' })).rules.map((r) => r.title)).toEqual(['C']);
    expect((await loadRules([join(dir, 'rules')], { include: ['c.yml'] })).rules.map((r) => r.title)).toEqual(['C']);
    expect((await loadRules([join(dir, 'rules')], { exclude: ['**/sub/**'] })).rules.map((r) => r.title)).toEqual(['A']);
  });

  it('rejects unknown status or level names', async () => {
    await expect(loadRules([dir], { minStatus: 'great' })).rejects.toThrow(OptionError);
    await expect(loadRules([dir], { minLevel: 'urgent' })).rejects.toThrow(OptionError);
  });
});
