/**
 * Splunk inputs.conf: filters, stanza forms, precedence of several files, btool output, per-rule forwarding
 * from the CLI, generation (round trip) and merging into an existing file. Expected sets:
 * test/fixtures/collectors/splunk/README.md.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../src/environment/collectors.js';
import { formatRanges, type ForwardedSet } from '../../src/environment/forwarded.js';
import { entryMatch, parseIdList, parseKeyRegex, readSplunkInputs } from '../../src/environment/splunk-inputs.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { roundTrip } from '../../src/generate/collector-config.js';
import { mergeSplunkInputs, splunkInputs, splunkProblems } from '../../src/generate/splunk-inputs.js';
import { runCli } from '../helpers.js';

const catalog = loadCatalog();

const DIR = fileURLToPath(new URL('../fixtures/collectors/splunk/', import.meta.url));
const TA_DEFAULT = join(DIR, 'etc/apps/Splunk_TA_windows/default/inputs.conf');
const TA_LOCAL = join(DIR, 'etc/apps/Splunk_TA_windows/local/inputs.conf');
const SYS_LOCAL = join(DIR, 'etc/system/local/inputs.conf');
const HOST = 'test/fixtures/environment/gpresult-utf16le-multi-gpo.xml';

function read(paths: string[]) {
  const set: ForwardedSet = new Map();
  const notes: string[] = [];
  readSplunkInputs(
    paths.map((p) => ({ path: p, content: readFileSync(p, 'utf8') })),
    set,
    notes,
  );
  const view = (ch: string) => {
    const f = set.get(ch.toLowerCase());
    return f ? { sure: formatRanges(f.sure), possible: formatRanges(f.possible) } : undefined;
  };
  return { set, notes, view };
}

describe('inputs.conf filter formats (inputs.conf.spec "Event Log filtering")', () => {
  it('event-ID lists: single IDs, ranges, *; anything else is not a list', () => {
    expect(formatRanges(parseIdList('4,5,7,100-200')!)).toBe('4-5, 7, 100-200');
    expect(formatRanges(parseIdList(' 4624 , 4700 - 4800 ')!)).toBe('4624, 4700-4800');
    expect(formatRanges(parseIdList('*')!)).toBe('all');
    expect(parseIdList('EventCode=%^4624$%')).toBeUndefined();
  });
  it('key=regex pairs with any delimiter; the regex may hold the delimiter when no key follows it', () => {
    expect(parseKeyRegex('EventCode=%^200$% User=%jrodman%')).toEqual([
      { key: 'EventCode', regex: '^200$' },
      { key: 'User', regex: 'jrodman' },
    ]);
    expect(parseKeyRegex('EventCode="4662" Message="Object Type:(?!\\s*groupPolicyContainer)"')).toEqual([
      { key: 'EventCode', regex: '4662' },
      { key: 'Message', regex: 'Object Type:(?!\\s*groupPolicyContainer)' },
    ]);
    expect(parseKeyRegex('$XmlRegex="<EventID>1</EventID>"')).toEqual([{ key: '$XmlRegex', regex: '<EventID>1</EventID>' }]);
    expect(parseKeyRegex('EventCode="4662')).toBeUndefined();
  });
  it('EventCode regexes are evaluated on every ID, unanchored as Splunk searches them', () => {
    expect(formatRanges(entryMatch('w', 'EventCode=%^(4624|4625)$%', false).sure)).toBe('4624-4625');
    // "4662" also matches 14662, 24662, … and 46620–46629: a regex search, not an equality.
    const loose = entryMatch('b', 'EventCode="4662"', false).sure;
    expect(formatRanges(loose)).toBe('4662, 14662, 24662, 34662, 44662, 46620-46629, 54662, 64662');
    // AND of a Message regex: the IDs are only possibly matched, with the reason.
    expect(entryMatch('blacklist1', 'EventCode="4662" Message="x"', false)).toMatchObject({ sure: [], reason: 'blacklist1: Message filter' });
    // \Z ends the subject in PCRE but is a literal Z in JavaScript: outside the shared syntax, so not exact.
    expect(entryMatch('blacklist', 'EventCode="^4624\\Z"', false)).toMatchObject({ sure: [], possible: [[0, 65535]] });
    expect(formatRanges(entryMatch('w', 'EventCode=%^(4[0-9]{3}|1102)\\b%', false).sure)).toBe('1102, 4000-4999');
    // PCRE inline flags do not run in JavaScript: not exact, so nothing is sure.
    expect(entryMatch('whitelist', 'EventCode="(?i)^4624$"', false)).toMatchObject({ sure: [], possible: [[0, 65535]] });
    // renderXml = true: the spec says the lists need $XmlRegex, so nothing is taken as exact.
    expect(entryMatch('whitelist', '4624', true)).toMatchObject({ sure: [], possible: [[0, 65535]] });
  });
  it('detects inputs.conf and btool output; .conf without WinEventLog stays NXLog', () => {
    expect(detectFormat('inputs.conf', readFileSync(TA_LOCAL, 'utf8'))).toBe('splunk');
    expect(detectFormat('btool.txt', readFileSync(join(DIR, 'btool-inputs.txt'), 'utf8'))).toBe('splunk');
    expect(detectFormat('nxlog.conf', '<Input in>\n Module im_msvistalog\n</Input>')).toBe('nxlog');
  });
});

describe('inputs.conf fixtures', () => {
  it('filters.conf: whitelist OR, blacklists win, regex AND, other keys possible, disabled, stanza forms', () => {
    const { view, notes } = read([join(DIR, 'filters.conf')]);
    expect(view('Security')).toEqual({ sure: '1102, 4624-4625, 4700-4734, 4736-4800', possible: '1102, 4624-4625, 4688, 4700-4734, 4736-4800' });
    expect(view('Microsoft-Windows-Sysmon/Operational')).toEqual({ sure: 'none', possible: 'all' });
    expect(view('Microsoft-Windows-TaskScheduler/Operational')).toEqual({ sure: 'none', possible: 'all' });
    expect(view('System')).toEqual({ sure: '104, 7040, 7045', possible: '104, 7040, 7045' });
    expect(view('Application')).toBeUndefined();
    expect(view('Microsoft-Windows-PowerShell/Operational')).toEqual({ sure: 'none', possible: 'all' });
    expect(notes.join('\n')).toMatch(/\[WinEventLog:\/\/Application\] is disabled/);
  });
  it('precedence: system/local > app local > app default, whatever the order given', () => {
    for (const order of [
      [TA_DEFAULT, TA_LOCAL, SYS_LOCAL],
      [SYS_LOCAL, TA_LOCAL, TA_DEFAULT],
    ]) {
      const { view, notes } = read(order);
      expect(view('Security')).toEqual({
        sure: '1102, 4624-4625, 4688, 4698-4702, 4720-4740, 4769',
        possible: '1102, 4624-4625, 4662, 4688, 4698-4702, 4720-4740, 4769',
      });
      expect(view('System')).toBeUndefined(); // enabled in the app's local, disabled again in system/local
      expect(view('Application')).toBeUndefined(); // disabled in the app's default, never enabled
      expect(view('Microsoft-Windows-PowerShell/Operational')).toEqual({ sure: 'all', possible: 'all' });
      expect(notes.join('\n')).toMatch(/merged by Splunk's precedence/);
      expect(notes.join('\n')).toMatch(/current_only = 1 reads only events that arrive while the forwarder runs/);
    }
  });
  it('files outside an etc/ tree: the order given, later wins, and a note says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-splunk-'));
    writeFileSync(join(dir, 'a.conf'), '[WinEventLog://System]\ndisabled = 0\n');
    writeFileSync(join(dir, 'b.conf'), '[WinEventLog://System]\ndisabled = 1\n');
    expect(read([join(dir, 'a.conf'), join(dir, 'b.conf')]).view('System')).toBeUndefined();
    const r = read([join(dir, 'b.conf'), join(dir, 'a.conf')]);
    expect(r.view('System')).toEqual({ sure: 'all', possible: 'all' });
    expect(r.notes.join('\n')).toMatch(/merged in the order given, a later file's setting replacing an earlier one's/);
  });
  it('a local file alone says that an unseen default layer may disable a stanza', () => {
    expect(read([SYS_LOCAL]).notes.join('\n')).not.toMatch(/sets no "disabled"/);
    const dir = join(mkdtempSync(join(tmpdir(), 'lsc-splunk-')), 'etc/system/local');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'inputs.conf'), '[WinEventLog://Security]\nindex = wineventlog\n');
    expect(read([join(dir, 'inputs.conf')]).notes.join('\n')).toMatch(/\[WinEventLog:\/\/Security\] sets no "disabled"/);
  });
  it('btool output reads as the merged configuration it is', () => {
    const { view } = read([join(DIR, 'btool-inputs.txt')]);
    expect(view('Security')).toEqual(read([TA_DEFAULT, TA_LOCAL, SYS_LOCAL]).view('Security'));
    expect(view('System')).toBeUndefined();
    expect(view('Microsoft-Windows-PowerShell/Operational')).toEqual({ sure: 'all', possible: 'all' });
  });
  it('hostile text: no throw, one note per bad line, bounded', () => {
    const { notes, view } = read([join(DIR, 'filters.conf')]);
    expect(notes.length).toBeLessThan(20);
    expect(view('Security')).toBeDefined();
    const set: ForwardedSet = new Map();
    const n: string[] = [];
    readSplunkInputs(
      [
        {
          path: 'x.conf',
          content:
            '[WinEventLog://Security\nwhitelist = EventCode="(((((a*)*)*)*)*b"\ngarbage line\n[WinEventLog://Security]\nwhitelist = EventCode="' +
            'x'.repeat(5000) +
            '"\n',
        },
      ],
      set,
      n,
    );
    expect(n.some((x) => /line 3: not a setting/.test(x))).toBe(true);
    expect(formatRanges(set.get('security')!.sure)).toBe('none');
  });
});

describe('per-rule forwarding from the CLI', () => {
  it('whitelist, blacklist, disabled and precedence decide each rule', () => {
    const r = runCli([
      'examples/rules',
      `${DIR}rules`,
      '--gpresult',
      HOST,
      '--collector',
      SYS_LOCAL,
      '--collector',
      TA_LOCAL,
      '--collector',
      TA_DEFAULT,
      '--format',
      'json',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    const rule = (t: string) => j.rules.find((x: { title: string }) => x.title.startsWith(t));
    // 4624/4625 whitelisted in the app's local file
    expect(rule('Failed And Successful').forwarding ?? []).toEqual([]);
    // 4663 is not in the whitelist
    expect(rule('Run Key Modified').forwarding).toEqual([expect.stringMatching(/Security 4663 not in any forwarded query/)]);
    // 4662 whitelisted, but blacklist1 drops it where the Message matches: partial, with the reason
    expect(rule('Directory Service Object Access With').forwarding).toEqual([
      expect.stringMatching(/Security 4662 forwarded only in part \(blacklist1: Message filter/),
    ]);
    // System is enabled in the app but disabled in system/local
    expect(rule('Service Installed From A Temp Folder').missing).toContain('forward:System');
  });
  it('a Splunk etc/ folder stands for its inputs.conf layers', () => {
    const r = runCli([`${DIR}rules`, '--collector', join(DIR, 'etc'), '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const security = JSON.parse(r.stdout).readiness.channels.find((c: { channel: string }) => c.channel === 'Security');
    expect(security.forwarded).toMatch(/^1102, 4624-4625, 4688, 4698-4702, 4720-4740, 4769 \(possibly/);
    // btool output of the same layers, under any name, gives the same per-channel result
    const b = runCli([`${DIR}rules`, '--collector', join(DIR, 'btool-inputs.txt'), '--collector-format', 'splunk', '--format', 'json']);
    expect(b.status, b.stderr).toBe(0);
    expect(JSON.parse(b.stdout).readiness.channels.find((c: { channel: string }) => c.channel === 'Security').forwarded).toBe(security.forwarded);
  });
  it('--collector-format splunk reads a file of any name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-splunk-'));
    writeFileSync(join(dir, 'inputs.txt'), '[WinEventLog://System]\ndisabled = 0\n');
    const r = runCli(['examples/rules', '--collector', join(dir, 'inputs.txt'), '--collector-format', 'splunk', '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).readiness.channels.find((c: { channel: string }) => c.channel === 'System').forwarded).toBe('all');
  });
});

describe('collector-config --format splunk', () => {
  const needs = (entries: [string, [number, number][]][]) => new Map(entries.map(([channel, ids]) => [channel.toLowerCase(), { channel, ids }]));
  it('generates one enabled stanza per channel with a compressed event-ID whitelist, and re-reads to exactly the needs', () => {
    const n = needs([
      [
        'Security',
        [
          [4624, 4625],
          [4688, 4688],
        ],
      ],
      ['Microsoft-Windows-Sysmon/Operational', [[0, 65535]]],
    ]);
    const text = splunkInputs(n);
    expect(text).toContain('[WinEventLog://Security]\ndisabled = 0\nwhitelist = 4624-4625,4688\n');
    expect(text).toContain('[WinEventLog://Microsoft-Windows-Sysmon/Operational]\ndisabled = 0\n');
    expect(text).not.toMatch(/renderXml =/);
    expect(roundTrip(text, 'splunk', n, catalog)).toEqual([]);
    expect(splunkProblems(text, n)).toEqual([]);
  });
  it('a channel .conf cannot name is left out with an inert comment, and reported', () => {
    const n = needs([
      ['Evil]\n[WinEventLog://Security]\nblacklist = 0-65535', [[1, 1]]],
      ['Ok\u202e/Operational', [[7, 7]]],
      ['System', [[7045, 7045]]],
    ]);
    const text = splunkInputs(n);
    expect(text.split('\n').filter((l) => l.startsWith('['))).toEqual(['[WinEventLog://System]']);
    expect(text).not.toMatch(/^blacklist/m);
    expect(text).not.toMatch(/\u202e/);
    expect(splunkProblems(text, n)).toHaveLength(2);
  });
  it('the CLI writes it and says it re-read it', () => {
    const r = runCli(['collector-config', 'examples/rules', '--format', 'splunk']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('[WinEventLog://Security]\ndisabled = 0\nwhitelist = 1102,4624-4625,4657,4663,4688,4769\n');
    expect(r.stderr).toMatch(/re-read: forwards exactly what the rules need/);
  });
});

describe('collector-config --format splunk --base: merge, never weaken', () => {
  const n = new Map([
    [
      'security',
      {
        channel: 'Security',
        ids: [
          [1102, 1102],
          [4624, 4625],
          [4657, 4657],
          [4663, 4663],
          [4688, 4688],
        ] as [number, number][],
      },
    ],
    ['system', { channel: 'System', ids: [[7045, 7045]] as [number, number][] }],
    ['application', { channel: 'Application', ids: [[1000, 1000]] as [number, number][] }],
    ['windows powershell', { channel: 'Windows PowerShell', ids: [[400, 400]] as [number, number][] }],
  ]);
  const base = readFileSync(join(DIR, 'filters.conf'), 'utf8');
  const r = mergeSplunkInputs(base, 'filters.conf', n);
  it('keeps every line of the base (a replaced line stays as a "was:" comment)', () => {
    const out = r.text.split('\n');
    for (const line of base.split('\n').filter((l) => l.trim())) {
      expect(out.includes(line) || out.includes(`# logsource-check: was: ${line.trim()}`), line).toBe(true);
    }
  });
  it('widens the whitelist, enables the disabled stanza with only the needed IDs, adds the missing channel', () => {
    expect(r.text).toContain('# logsource-check: was: whitelist = 4624,4625,4700-4800\nwhitelist = 4624-4625,4657,4663,4700-4800\n');
    expect(r.text).toContain('[WinEventLog://Application]\n# logsource-check: was: disabled = 1\ndisabled = 0\nwhitelist = 1000\n');
    expect(r.text).toMatch(/\[WinEventLog:\/\/Windows PowerShell\]\ndisabled = 0\nwhitelist = 400\n$/);
    // System already forwards 7045: untouched.
    expect(r.text).toContain('[WinEventLog://System]\ndisabled = false\nwhitelist = 104,7040,\\\n7045\n');
  });
  it('a blacklist that drops a needed event is kept, commented and reported', () => {
    expect(r.text).toMatch(/^blacklist1 = EventCode="4688" Message=/m);
    expect(r.text).toContain('# logsource-check: blacklist1 drops (or may drop) event IDs 4688 the rules need; left unchanged, review it');
    expect(r.problems).toEqual([expect.stringMatching(/^Security 4688 not surely forwarded \(blacklist1: Message filter/)]);
  });
  it('re-read: what the merge promises is forwarded', () => {
    const set: ForwardedSet = new Map();
    readSplunkInputs([{ path: 'merged.conf', content: r.text }], set, []);
    expect(formatRanges(set.get('security')!.sure)).toBe('1102, 4624-4625, 4657, 4663, 4700-4734, 4736-4800');
    expect(formatRanges(set.get('application')!.sure)).toBe('1000');
    expect(formatRanges(set.get('windows powershell')!.sure)).toBe('400');
  });
  it('a CRLF base stays CRLF; a disabled stanza with a whitelist is enabled and widened only by what is missing', () => {
    const crlf = '[WinEventLog://Security]\r\ndisabled = 1\r\nwhitelist = 4624\r\n';
    const m = mergeSplunkInputs(crlf, 'in.conf', new Map([['security', { channel: 'Security', ids: [[4624, 4625]] as [number, number][] }]]));
    expect(m.text).toBe(
      '[WinEventLog://Security]\r\n# logsource-check: was: disabled = 1\r\ndisabled = 0\r\n# logsource-check: was: whitelist = 4624\r\nwhitelist = 4624-4625\r\n',
    );
    expect(m.problems).toEqual([]);
  });
  it('CLI: exit 1 with the unforwarded need named; --base only with splunk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-splunk-'));
    const out = join(dir, 'inputs.conf');
    const cli = runCli(['collector-config', 'examples/rules', '--format', 'splunk', '--base', join(DIR, 'filters.conf'), '-o', out]);
    expect(cli.status).toBe(1);
    expect(cli.stderr).toMatch(/nothing removed/);
    expect(cli.stderr).toMatch(/Security 4688 not surely forwarded/);
    expect(readFileSync(out, 'utf8')).toContain('[WinEventLog://PowerShellCore/Operational]');
    const clean = runCli(['collector-config', 'examples/rules', '--format', 'splunk', '--base', join(DIR, 'etc/system/local/inputs.conf')]);
    expect(clean.status, clean.stderr).toBe(0);
    expect(clean.stderr).toMatch(/re-read: every needed event is forwarded/);
    expect(runCli(['collector-config', 'examples/rules', '--format', 'wef', '--base', out]).status).toBe(2);
  });
});

describe('merge judged with the other layers (--collector with --base)', () => {
  it('enables in system/local without writing over the app whitelist; adds a free numbered whitelist', () => {
    const n = new Map([
      [
        'security',
        {
          channel: 'Security',
          ids: [
            [4657, 4657],
            [4688, 4688],
          ] as [number, number][],
        },
      ],
      ['system', { channel: 'System', ids: [[7045, 7045]] as [number, number][] }],
    ]);
    const layers = [TA_LOCAL, TA_DEFAULT].map((p) => ({ path: p, content: readFileSync(p, 'utf8') }));
    const r = mergeSplunkInputs(readFileSync(SYS_LOCAL, 'utf8'), SYS_LOCAL, n, layers);
    expect(r.problems).toEqual([]);
    // System: enabled here; the app's "whitelist = 7040, 7045" still applies, so no whitelist key is written.
    expect(r.text).toContain('[WinEventLog://System]\n# logsource-check: was: disabled = 1\ndisabled = 0\n');
    // Security: only another layer defines it; "whitelist" is the app's, so whitelist1 carries the new ID.
    expect(r.text).toMatch(/\[WinEventLog:\/\/Security\]\nwhitelist1 = 4657\n$/);
    const set: ForwardedSet = new Map();
    readSplunkInputs([...layers, { path: SYS_LOCAL, content: r.text }], set, []);
    expect(formatRanges(set.get('security')!.sure)).toBe('1102, 4624-4625, 4657, 4688, 4698-4702, 4720-4740, 4769');
    expect(formatRanges(set.get('system')!.sure)).toBe('7040, 7045');
  });
});
