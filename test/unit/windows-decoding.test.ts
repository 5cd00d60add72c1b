/**
 * Every generated script and .reg file, decoded the way its Windows reader decodes it, must say what we meant,
 * with hostile values (rule titles, TargetObject values, channel names from a --pipeline and a host's wevtutil
 * output, host names) kept inside their literals / comments. Readers:
 *  - Windows PowerShell 5.1 reads a .ps1 as UTF-8 when it starts with EF BB BF, else in the ANSI code page
 *    (cp1252 on a Western host): UTF-8 "В" (D0 92) is then "Ð’", and ’ (U+2019) closes a quoted literal.
 *  - cmd.exe reads a .cmd byte by byte in the OEM code page (cp437 US, cp850 Western Europe).
 *  - regedit reads UTF-16 LE after FF FE (what it writes itself).
 * The PowerShell check tokenises single-quoted literals with every character its tokenizer takes for a single
 * quote (U+0027, U+2018, U+2019, U+201A, U+201B: CharExtensions.IsSingleQuote in PowerShell's source).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { collectScriptFile } from '../../src/generate/collect-script.js';
import { buildRemediation, type RemediationFile } from '../../src/generate/remediation.js';
import { saclScript } from '../../src/generate/sacl-script.js';
import { ps1File } from '../../src/escape.js';
import type { EnvironmentInputs } from '../../src/environment/load.js';
import { ROOT } from '../helpers.js';

/**
 * Bytes 0x80–0xFF of each code page, from Unicode's mapping files (unicode.org/Public/MAPPINGS/VENDORS/MICSFT/
 * WINDOWS/CP1252.TXT, PC/CP437.TXT, PC/CP850.TXT). The five bytes CP1252.TXT leaves undefined (81 8D 8F 90 9D)
 * are the C1 code points MultiByteToWideChar gives them (as WHATWG's windows-1252). 0xA0–0xFF of cp1252 is Latin-1.
 */
const HIGH: Record<'cp1252' | 'cp437' | 'cp850', string> = {
  cp1252: '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ' + String.fromCharCode(...Array.from({ length: 96 }, (_, i) => 0xa0 + i)),
  cp437: 'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0',
  cp850: 'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜø£Ø×ƒáíóúñÑªº¿®¬½¼¡«»░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐└┴┬├─┼ãÃ╚╔╩╦╠═╬¤ðÐÊËÈıÍÎÏ┘┌█▄¦Ì▀ÓßÔÒõÕµþÞÚÛÙýÝ¯´\u00ad±‗¾¶§÷¸°¨·¹³²■\u00a0',
};

function codePage(buf: Buffer, cp: keyof typeof HIGH): string {
  let s = '';
  for (const b of buf) s += b < 0x80 ? String.fromCharCode(b) : (HIGH[cp][b - 0x80] as string);
  return s;
}

/** What Windows reads: the BOM decides; without one, the reader's legacy code page. */
function windowsReads(buf: Buffer, legacy: keyof typeof HIGH): string {
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return buf.subarray(3).toString('utf8');
  if (buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString('utf16le');
  return codePage(buf, legacy);
}

const PS_QUOTE = /['\u2018\u2019\u201a\u201b]/;
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

/**
 * A PowerShell command line whose arguments are data: `Name <string expression>`, where the expression is one
 * single-quoted literal or ( literal + [char]0xNNNN + … ). Returns the string it evaluates to; throws when data
 * left a literal (any other token after the command name).
 */
function psArguments(line: string, command: string): string[] {
  if (!line.startsWith(`${command} `)) throw new Error(`not ${command}: ${line}`);
  let i = command.length + 1;
  const literal = (): string => {
    if (!PS_QUOTE.test(line[i] ?? '')) throw new Error(`expected a literal at ${i}: ${line}`);
    i++;
    let out = '';
    for (;;) {
      const c = line[i];
      if (c === undefined) throw new Error(`unterminated literal: ${line}`);
      if (PS_QUOTE.test(c)) {
        // Two quote characters in a row are one (the second); one alone ends the literal.
        if (PS_QUOTE.test(line[i + 1] ?? '')) {
          out += line[i + 1];
          i += 2;
          continue;
        }
        i++;
        return out;
      }
      out += c;
      i++;
    }
  };
  const args: string[] = [];
  for (;;) {
    let value: string;
    if (line[i] === '(') {
      i++;
      value = '';
      for (;;) {
        const char = /^\[char\]0x([0-9A-F]{4})/.exec(line.slice(i));
        if (char) {
          value += String.fromCharCode(parseInt(char[1] as string, 16));
          i += char[0].length;
        } else value += literal();
        if (line.startsWith(' + ', i)) i += 3;
        else if (line[i] === ')') {
          i++;
          break;
        } else throw new Error(`data outside a literal at ${i}: ${line}`);
      }
    } else value = literal();
    args.push(value);
    if (i === line.length) return args;
    // Arguments are separated by one space; anything else is data outside a literal.
    if (line[i] !== ' ' || i + 1 === line.length) throw new Error(`data outside a literal at ${i}: ${JSON.stringify(line.slice(i))}`);
    i++;
  }
}

/** The first argument (the path); the others are checked by the caller. */
function psArgument(line: string, command: string): string {
  return psArguments(line, command)[0] as string;
}

/**
 * A cmd.exe line's text after `rem ` or `echo `: every metacharacter caret-escaped and every % doubled, so
 * nothing in it runs, redirects or expands. Throws where data would act.
 */
function cmdInert(text: string): void {
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '^') i++;
    else if (c === '%') {
      if (text[i + 1] !== '%') throw new Error(`% expands: ${text}`);
      i++;
    } else if (/[&|<>"!()]/.test(c)) throw new Error(`${c} acts: ${text}`);
  }
}

const HOSTILE = [
  'В',
  '\u2018',
  '\u2019',
  '\u201a',
  '\u201b',
  "';New-Item C:\\PWNED #",
  '%COMSPEC%',
  '&',
  '^',
  '\u001b[31m',
  '\u0007',
  '\r\nNew-Item C:\\PWNED',
  '\u202e',
  '\u0000',
];
const REG_BASE = 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run';
const catalog = loadCatalog();

function yamlQuoted(s: string): string {
  return JSON.stringify(s); // a YAML double-quoted scalar takes JSON's escapes
}

/** One registry object-access rule per hostile value: in the title and in the key the rule watches. */
function hostileRules(dir: string): void {
  HOSTILE.forEach((h, i) => {
    writeFileSync(
      join(dir, `r${i}.yml`),
      [
        `title: ${yamlQuoted(`Run key ${HOSTILE.join('|')} title ${i}`)}`,
        `id: 1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a${String(i).padStart(2, '0')}`,
        'status: test',
        'logsource:',
        '    product: windows',
        '    service: security',
        'detection:',
        '    selection:',
        '        EventID: 4657',
        `        ObjectName: ${yamlQuoted(`${REG_BASE}\\x${h}y`)}`,
        '    condition: selection',
        'level: medium',
        '',
      ].join('\n'),
    );
  });
}

async function remediate(
  rulesDir: string,
  environment: EnvironmentInputs,
  mappings: { kind: 'pipeline'; path: string; text: string }[] = [],
): Promise<{ files: RemediationFile[]; notes: string[] }> {
  const run = await runCheck([rulesDir], { environment, keepHosts: true, mappings });
  return buildRemediation(run.result, catalog, run.environment?.hosts, run.load.rules);
}

const file = (files: RemediationFile[], name: string) => {
  const f = files.find((x) => x.name === name);
  if (!f) throw new Error(`${name} not written: ${files.map((x) => x.name).join(', ')}`);
  return f.content;
};

describe('generated files decode on Windows as meant', () => {
  it('set-audit-sacls.ps1: UTF-8 with BOM; every hostile key stays one literal argument, titles stay comments', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-wdec-'));
    hostileRules(dir);
    const { files } = await remediate(dir, { gpresult: [join(ROOT, 'test/fixtures/environment/gpresult-utf16le-multi-gpo.xml')] });
    const bytes = file(files, 'set-audit-sacls.ps1');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const meant = bytes.subarray(3).toString('utf8');
    // The BOM decides, whatever the host's ANSI code page.
    expect(windowsReads(bytes, 'cp1252')).toBe(meant);
    // Every line is the fixed script, a comment, or one Add-RegistryAudit with one string argument.
    const template = new Set(saclScript({ registry: new Map(), file: new Map(), skipped: 0, valuesToKeys: 0 }).split('\r\n'));
    const keys: string[] = [];
    for (const line of meant.split('\r\n')) {
      expect(line).not.toMatch(CONTROLS);
      if (line.startsWith('Add-RegistryAudit ')) {
        const [key, ...rest] = psArguments(line, 'Add-RegistryAudit');
        keys.push(key as string);
        // Rights, inheritance and flags are the script's own words, never data.
        expect(rest).toEqual(['SetValue', 'ContainerInherit', 'Success']);
      } else if (!line.startsWith('# ')) expect(template.has(line), line).toBe(true);
    }
    // Exactly the keys the rules name, character for character (controls included, spliced in as [char]).
    const expected = HOSTILE.filter((h) => !/[\u0000-\u001f']/.test(h)).map((h) => `HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\x${h}y`);
    expect(keys.sort()).toEqual(expected.sort());
    expect(meant).toContain("Add-RegistryAudit 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\x\u2019\u2019y'");
    expect(meant).toContain("Add-RegistryAudit ('HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\x' + [char]0x202E + 'y')");
    expect(meant).toContain("Add-RegistryAudit 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\xВy'");
    // Each hostile title is one comment line: its line breaks, controls and bidi characters are U+FFFD.
    const comments = meant.split('\r\n').filter((l) => l.startsWith('# Run key'));
    expect(comments).toHaveLength(keys.length);
    for (const c of comments)
      expect(c).toContain("# Run key В|‘|’|‚|‛|';New-Item C:\\PWNED #|%COMSPEC%|&|^|\uFFFD[31m|\uFFFD|\uFFFD\uFFFDNew-Item C:\\PWNED|\uFFFD|\uFFFD title");
  });

  it('the check can fail: the same script without a BOM, read in cp1252, lets a value out of its literal', () => {
    const path = `HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\В';New-Item C:\\PWNED #`.replace("'", '');
    const entry = { path, inherit: true, rights: new Set(['SetValue']), failure: false, titles: new Set(['t']) };
    const text = saclScript({ registry: new Map([[path.toLowerCase(), entry]]), file: new Map(), skipped: 0, valuesToKeys: 0 });
    const line = (buf: Buffer, cp: keyof typeof HIGH) =>
      windowsReads(buf, cp)
        .split('\r\n')
        .find((l) => l.startsWith('Add-RegistryAudit')) as string;
    expect(psArgument(line(ps1File(text), 'cp1252'), 'Add-RegistryAudit')).toContain('В;New-Item');
    // Without the BOM: "В" is D0 92, and 92 is ’ in cp1252, a quote to PowerShell: the literal ends there.
    expect(() => psArgument(line(Buffer.from(text, 'utf8'), 'cp1252'), 'Add-RegistryAudit')).toThrow(/outside a literal/);
    // And a quoting that doubles only ASCII ' is broken by ’ even when decoded right.
    const naive = `Add-RegistryAudit '${'HKLM:\\x\u2019;New-Item C:\\PWNED #'.replace(/'/g, "''")}'`;
    expect(() => psArgument(naive, 'Add-RegistryAudit')).toThrow(/outside a literal/);
  });

  it('enable-channels.cmd: ASCII only; a channel from a --pipeline and wevtutil that cmd cannot hold exactly is left out with a note; host names guard nothing they could break', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-wdec-ch-'));
    const rules = join(dir, 'rules');
    mkdirSync(rules);
    const channels = HOSTILE.map((h, i) => `Custom-${i}${h}/Operational`).concat(['Custom-Plain/Operational']);
    const pipeline = {
      name: 'hostile channels',
      transformations: channels.map((c, i) => ({
        id: `t${i}`,
        type: 'add_condition',
        conditions: { Channel: c },
        rule_conditions: [{ type: 'logsource', product: 'windows', category: `hostile_${i}` }],
      })),
    };
    writeFileSync(join(dir, 'pipeline.yml'), JSON.stringify(pipeline));
    channels.forEach((_, i) =>
      writeFileSync(
        join(rules, `c${i}.yml`),
        `title: ${yamlQuoted(`channel rule ${i}`)}\nid: 2f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a${String(i).padStart(2, '0')}\nstatus: test\nlogsource:\n    product: windows\n    category: hostile_${i}\ndetection:\n    selection:\n        EventID: 1\n    condition: selection\nlevel: low\n`,
      ),
    );
    // A rule on the Security log: both hosts cap it below the recommendation (test/fixtures/logsize).
    cpSync(join(ROOT, 'examples/rules/windows/security_registry_run_key_object_access.yml'), join(rules, 'run-key.yml'));
    // Two hosts (a fleet: the log-size lines are guarded by computer name), hostile names, the channels off.
    const hosts = ['SRV-LOGS1', 'SRV-LOGS2'].map((src, k) => {
      const to = join(dir, `host${k}`);
      cpSync(join(ROOT, 'test/fixtures/logsize', src), to, { recursive: true });
      const name = k === 0 ? 'SRV-В&%COMSPEC%' : 'SRV-\u001b]8;;http://x\u0007\u202e';
      const info = readFileSync(join(to, 'systeminfo.csv'))
        .toString('latin1')
        .replace(`"${src}"`, `"${name.replace(/"/g, '""')}"`);
      writeFileSync(join(to, 'systeminfo.csv'), info, 'utf8');
      const gl = k === 0 ? readFileSync(join(to, 'wevtutil-gl.txt'), 'utf8') : '';
      writeFileSync(
        join(to, 'wevtutil-gl.txt'),
        gl + channels.map((c) => `==== wevtutil gl "${c}"\r\nname: ${c}\r\nenabled: false\r\ntype: Operational\r\nlogging:\r\n  maxSize: 1052672\r\n`).join(''),
      );
      return to;
    });
    const { files, notes } = await remediate(rules, { host: hosts }, [{ kind: 'pipeline', path: join(dir, 'pipeline.yml'), text: JSON.stringify(pipeline) }]);
    const bytes = file(files, 'enable-channels.cmd');
    expect([...bytes].every((b) => b < 0x80)).toBe(true);
    const meant = bytes.toString('ascii');
    for (const cp of ['cp437', 'cp850', 'cp1252'] as const) expect(windowsReads(bytes, cp)).toBe(meant);
    const enabled: string[] = [];
    for (const line of meant.split('\r\n')) {
      expect(line).not.toMatch(/[^\x20-\x7e]/);
      if (line.startsWith('rem ')) cmdInert(line.slice(4));
      else if (line.startsWith('echo ')) cmdInert(line.slice(5));
      else if (line.startsWith('wevtutil sl ')) {
        const m = /^wevtutil sl "([^"%!^&|<>]*)" \/e:true$/.exec(line);
        expect(m, line).not.toBeNull();
        enabled.push(m![1] as string);
      } else expect(line).toMatch(/^(@echo off|)$|^(if \/i "%COMPUTERNAME%"=="[^"%!^&|<>]*" )?wevtutil sl "[A-Za-z-/ ]+" \/ms:\d+$/);
    }
    // Only the channels cmd.exe can hold exactly are enabled; each other one has its note.
    expect(enabled).toEqual(channels.filter((c) => /^[\x20-\x7e]*$/.test(c) && !/["%!^&|<>]/.test(c)));
    expect(enabled).toContain('Custom-Plain/Operational');
    for (const c of channels.filter((x) => !enabled.includes(x)))
      expect(
        notes.some((n) => n.includes(JSON.stringify(c))),
        c,
      ).toBe(true);
    // Neither hostile host name can be written as a guard: the log-size lines are left out, a note says how.
    expect(meant).not.toMatch(/%COMPUTERNAME%/);
    expect(notes.filter((n) => /leaves out raising the Security log on SRV-/.test(n))).toHaveLength(2);
    expect(notes.some((n) => n.toUpperCase().includes('SRV-\u001b]8;;HTTP://X\u0007\u202e'))).toBe(true); // raw in the note: fix prints notes through terminalLine

    // The README and the .reg comments name the hosts: decoded by their BOM, no control reaches the reader.
    const readme = file(files, 'README.txt');
    expect([...readme.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    for (const line of windowsReads(readme, 'cp1252').split('\r\n')) expect(line).not.toMatch(CONTROLS);
    const reg = files.find((f) => f.name === 'logging-policies.reg');
    expect(reg).toBeDefined();
    if (reg) {
      expect([...reg.content.subarray(0, 2)]).toEqual([0xff, 0xfe]);
      // UTF-16 holds the Cyrillic host name exactly; the escape sequence and bidi control of the other are U+FFFD.
      expect(windowsReads(reg.content, 'cp1252')).toMatch(
        /^; Security log capped .*: SRV-В&%COMSPEC% at 20480 KB .*, SRV-\uFFFD\]8;;HTTP:\/\/X\uFFFD\uFFFD at 20480 KB/m,
      );
      for (const line of windowsReads(reg.content, 'cp1252').split('\r\n')) {
        expect(line).not.toMatch(CONTROLS);
        expect(line).toMatch(/^(Windows Registry Editor Version 5\.00|;.*|\[HKEY_LOCAL_MACHINE\\[^\]]+\]|"[^"]+"=.*|)$/);
      }
    }
  });

  it('enable-audit.cmd and audit.csv are ASCII; .reg files are UTF-16 LE with a BOM', async () => {
    const { files } = await remediate(join(ROOT, 'examples/rules'), {
      gpresult: [join(ROOT, 'test/fixtures/environment/gpresult-legacy-and-advanced-no-force.xml')],
    });
    for (const f of files) {
      if (/\.(cmd|csv)$/.test(f.name)) {
        expect(
          [...f.content].every((b) => b < 0x80),
          f.name,
        ).toBe(true);
        expect(windowsReads(f.content, 'cp437')).toBe(f.content.toString('ascii'));
      }
      if (f.name.endsWith('.reg')) expect([...f.content.subarray(0, 2)], f.name).toEqual([0xff, 0xfe]);
      if (f.name.endsWith('.ps1') || f.name.endsWith('.txt')) expect([...f.content.subarray(0, 3)], f.name).toEqual([0xef, 0xbb, 0xbf]);
    }
    expect(files.some((f) => f.name.endsWith('.reg'))).toBe(true);
  });

  it('catalog text written unescaped into .cmd and audit.csv lines (subcategory names and GUIDs, log names) is ASCII', () => {
    // cmdFile refuses a non-ASCII byte as an internal error: a catalog edit that adds one must fail here first.
    for (const sub of catalog.subcategories) expect(`${sub.name},${sub.guid}`).toMatch(/^[\x20-\x7e]+$/);
    for (const l of catalog.eventLogs) expect(l.log).toMatch(/^[A-Za-z0-9 /_-]+$/);
  });

  it('the collection scripts: .ps1 with a BOM, .cmd ASCII, both ASCII text so any code page reads them alike', () => {
    const ps1 = collectScriptFile('ps1');
    expect([...ps1.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect([...ps1.subarray(3)].every((b) => b < 0x80)).toBe(true);
    const cmd = collectScriptFile('cmd');
    expect([...cmd].every((b) => b < 0x80)).toBe(true);
    for (const cp of ['cp437', 'cp850'] as const) expect(windowsReads(cmd, cp)).toBe(cmd.toString('ascii'));
  });

  it('the decoder tables are whole and match the Unicode mapping files', () => {
    for (const t of Object.values(HIGH)) expect([...t]).toHaveLength(128);
    // Spot checks against the mapping files' lines (e.g. CP1252.TXT "0x92 0x2019 #RIGHT SINGLE QUOTATION MARK").
    const at = (cp: keyof typeof HIGH, b: number) => codePage(Buffer.from([b]), cp).codePointAt(0);
    expect([at('cp1252', 0x80), at('cp1252', 0x92), at('cp1252', 0x9f), at('cp1252', 0xd0)]).toEqual([0x20ac, 0x2019, 0x178, 0xd0]);
    expect([at('cp437', 0x80), at('cp437', 0xb3), at('cp437', 0xe1), at('cp437', 0xfe)]).toEqual([0xc7, 0x2502, 0xdf, 0x25a0]);
    expect([at('cp850', 0x9b), at('cp850', 0xd5), at('cp850', 0xf2), at('cp850', 0xfe)]).toEqual([0xf8, 0x131, 0x2017, 0x25a0]);
    expect(codePage(Buffer.from([0xd0, 0x92]), 'cp1252')).toBe('Ð’');
  });
});
