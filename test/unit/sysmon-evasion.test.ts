/**
 * Sysmon exclusions judged by the rule's own events (issue 23): the events a rule's positive selections describe
 * are built from its values and the config is run on them. An exclusion that drops none of them leaves the rule's
 * events logged, with an evasion note naming it; one that drops some makes it partial; all → dropped.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchTerms, simulate, type Simulation } from '../../src/assess/sysmon-sim.js';
import { canonicalEvents } from '../../src/assess/sysmon-canonical.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { parseSysmonConfig, type SysmonConfig } from '../../src/environment/sysmon.js';
import type { SigmaRule } from '../../src/rules/model.js';
import { parseRuleFile } from '../../src/rules/parse.js';
import { CORPUS, corpusOrSkip, ROOT, runCli } from '../helpers.js';

const catalog = loadCatalog();
const cfg = (body: string) => parseSysmonConfig('t.xml', `<Sysmon schemaversion="4.90"><EventFiltering>${body}</EventFiltering></Sysmon>`, catalog);
const rule = (category: string, detection: string): SigmaRule =>
  parseRuleFile('r.yml', `title: r\nlogsource: {product: windows, category: ${category}}\ndetection:\n${detection}\n`).rules[0] as SigmaRule;
const sim = (r: SigmaRule, c: SysmonConfig, element: string): Simulation => simulate(matchTerms(r).terms, c.elements.get(element), element);
const values = (r: SigmaRule) => matchTerms(r).terms.map((t) => Object.fromEntries(canonicalEvents(t)?.fields ?? []));

describe("canonical events: the rule's own values, with the least added", () => {
  it('a path suffix gets System32, a fragment a drive, an extension a file name; other fields keep the literal', () => {
    const r = rule(
      'process_creation',
      "  s:\n    Image|endswith: '\\certutil.exe'\n    CommandLine|contains|all: ['urlcache ', 'http']\n    ParentImage|contains: '\\AppData\\Local\\Temp\\'\n  condition: s",
    );
    // The command line starts with the one image the term names; the Temp fragment keeps an open start.
    expect(values(r)).toEqual([
      {
        image: ['c:\\windows\\system32\\certutil.exe'],
        commandline: ['c:\\windows\\system32\\certutil.exe urlcache http'],
        parentimage: ['c:\\appdata\\local\\temp\\'],
      },
    ]);
    expect([...canonicalEvents(matchTerms(r).terms[0] ?? []).openLeft]).toEqual(['parentimage']);
    // A fragment under a folder Windows puts at a fixed place is put there; CommandLine alone keeps the literal.
    const t = rule('file_event', "  s:\n    TargetFilename|contains: '\\System32\\Tasks\\'\n    CommandLine|contains: 'x'\n  condition: s");
    expect(values(t)).toEqual([{ targetfilename: ['c:\\windows\\system32\\tasks\\'], commandline: ['x'] }]);
    const f = rule('file_event', "  s:\n    TargetFilename|endswith: ['.bat', '\\evil.dll']\n  condition: s");
    expect(values(f)).toEqual([{ targetfilename: ['c:\\windows\\system32\\file.bat', 'c:\\windows\\system32\\evil.dll'] }]);
  });

  it('filter selections stay out of the events; a one-field filter on the usual directory moves the binary elsewhere', () => {
    const r = rule(
      'process_creation',
      "  s:\n    Image|endswith: '\\wermgr.exe'\n  filter:\n    Image|startswith: 'C:\\Windows\\System32\\'\n  f2:\n    CommandLine|contains: 'foo'\n  condition: s and not filter and not f2",
    );
    expect(values(r)).toEqual([{ image: ['c:\\users\\public\\wermgr.exe'] }]);
  });

  it('values that contradict each other make no event; a |re field is left out of the events and compared symbolically', () => {
    expect(values(rule('process_creation', "  s:\n    Image: 'C:\\a.exe'\n    Image|endswith: '\\b.exe'\n  condition: s"))).toEqual([{ image: [] }]);
    const re = rule('process_creation', "  s:\n    Image|endswith: '\\curl.exe'\n    CommandLine|re: '\\s-c\\s'\n  condition: s");
    const ev = canonicalEvents(matchTerms(re).terms[0] ?? []);
    expect([[...ev.fields], [...ev.opaque]]).toEqual([[['image', ['c:\\windows\\system32\\curl.exe']]], ['commandline']]);
    // The Image exclusion is judged on the event (an evasion); the CommandLine one cannot be compared: partial.
    const c = cfg(
      '<RuleGroup groupRelation="or"><ProcessCreate onmatch="exclude"><Image condition="contains all">C:\\Users\\;\\OneDrive\\</Image><CommandLine condition="begin with">C:\\Windows\\system32\\DllHost.exe /Processid</CommandLine></ProcessCreate></RuleGroup>',
    );
    expect(sim(re, c, 'ProcessCreate')).toEqual({
      result: 'partial',
      reasons: [
        'ProcessCreate exclude: CommandLine begin with C:\\Windows\\system32\\DllHost.exe /Processid (drops some matching events)',
        "ProcessCreate: the rule's CommandLine|re cannot be compared with the config's conditions",
      ],
      evasion: ['ProcessCreate exclude: Image contains all C:\\Users\\;\\OneDrive\\'],
    });
  });
});

describe('exclusions on the canonical events', () => {
  const onedrive =
    '<RuleGroup groupRelation="or"><ProcessCreate onmatch="exclude"><Image condition="contains all">C:\\Users\\;\\AppData\\Local\\Microsoft\\OneDrive;\\FileCoAuth.exe</Image></ProcessCreate></RuleGroup>';

  it("an exclusion keyed on a path the rule's binary is not in is an evasion gap: logged, with the exclusion named", () => {
    const r = rule('process_creation', "  s:\n    Image|endswith: '\\certutil.exe'\n    CommandLine|contains: 'urlcache'\n  condition: s");
    const s = sim(r, cfg(onedrive), 'ProcessCreate');
    expect(s).toEqual({
      result: 'logged',
      reasons: [],
      evasion: ['ProcessCreate exclude: Image contains all C:\\Users\\;\\AppData\\Local\\Microsoft\\OneDrive;\\FileCoAuth.exe'],
    });
    // Same for a rule that does not read Image at all: its event has no Image the exclusion could match.
    expect(sim(rule('process_creation', "  s:\n    CommandLine|contains: 'urlcache'\n  condition: s"), cfg(onedrive), 'ProcessCreate').result).toBe('logged');
  });

  it("an exclusion that drops one of the rule's values makes it partial, one per value makes it dropped", () => {
    const r = rule('process_creation', "  s:\n    Image|endswith: ['\\a.exe', '\\b.exe']\n  condition: s");
    const one = cfg('<ProcessCreate onmatch="exclude"><Image condition="is">C:\\Windows\\System32\\a.exe</Image></ProcessCreate>');
    expect(sim(r, one, 'ProcessCreate')).toMatchObject({
      result: 'partial',
      reasons: ["ProcessCreate exclude: Image is C:\\Windows\\System32\\a.exe (drops some events built from the rule's values)"],
    });
    const both = cfg('<ProcessCreate onmatch="exclude"><Image condition="end with">\\a.exe</Image><Image condition="end with">\\b.exe</Image></ProcessCreate>');
    expect(sim(r, both, 'ProcessCreate').result).toBe('dropped');
  });

  it('combinations: a two-field exclusion drops only the events with both values; two exclusions can drop them all', () => {
    const r = rule('process_creation', "  s:\n    Image|endswith: ['\\a.exe', '\\b.exe']\n    CommandLine|contains: ['x', 'y']\n  condition: s");
    const pair = cfg(
      '<ProcessCreate onmatch="exclude"><Rule groupRelation="and"><Image condition="end with">\\a.exe</Image><CommandLine condition="contains">x</CommandLine></Rule></ProcessCreate>',
    );
    expect(sim(r, pair, 'ProcessCreate').result).toBe('partial');
    const all = cfg(
      '<ProcessCreate onmatch="exclude"><CommandLine condition="contains">x</CommandLine><CommandLine condition="contains">y</CommandLine></ProcessCreate>',
    );
    expect(sim(r, all, 'ProcessCreate').result).toBe('dropped');
  });

  it('an exclusion on how a value begins, where the rule leaves the start open, is compared symbolically, never an evasion', () => {
    // Two images: the command line's start is unknown, and "is x" drops only the lines that are exactly x.
    const r = rule('process_creation', "  s:\n    Image|endswith: ['\\a.exe', '\\b.exe']\n    CommandLine|contains: ['x', 'y']\n  condition: s");
    const is = cfg('<ProcessCreate onmatch="exclude"><CommandLine condition="is">x</CommandLine></ProcessCreate>');
    expect(sim(r, is, 'ProcessCreate')).toEqual({ result: 'partial', reasons: ['ProcessCreate exclude: CommandLine is x (drops some matching events)'] });
    // One image: the line starts with it, and a DllHost exclusion is seen to drop the DllHost rule's events.
    const d = rule('process_creation', "  s:\n    Image|endswith: '\\dllhost.exe'\n    CommandLine|contains: '/Processid'\n  condition: s");
    const dll = cfg(
      '<ProcessCreate onmatch="exclude"><CommandLine condition="begin with">C:\\Windows\\system32\\DllHost.exe /Processid</CommandLine></ProcessCreate>',
    );
    expect(sim(d, dll, 'ProcessCreate')).toEqual({
      result: 'dropped',
      reasons: ['ProcessCreate exclude: CommandLine begin with C:\\Windows\\system32\\DllHost.exe /Processid'],
    });
    // A Temp fragment has no known start: its drive-only filler proves nothing against a user's Temp folder,
    // which holds the rule's literal (the symbolic comparison's "one literal holds the other").
    const f = rule('file_event', "  s:\n    TargetFilename|contains: '\\AppData\\Local\\Temp\\'\n  condition: s");
    const temp = cfg(
      '<FileCreate onmatch="exclude"><TargetFilename condition="begin with">C:\\Users\\svc\\AppData\\Local\\Temp\\</TargetFilename></FileCreate>',
    );
    expect(sim(f, temp, 'FileCreate')).toEqual({
      result: 'partial',
      reasons: ['FileCreate exclude: TargetFilename begin with C:\\Users\\svc\\AppData\\Local\\Temp\\ (drops some matching events)'],
    });
  });

  it('an exclusion matching only what the rule filters out is neither a gap nor an evasion', () => {
    const r = rule(
      'process_creation',
      "  s:\n    Image|endswith: '\\wermgr.exe'\n  filter:\n    Image|startswith: 'C:\\Windows\\System32\\'\n  condition: s and not filter",
    );
    const c = cfg('<ProcessCreate onmatch="exclude"><Image condition="is">C:\\Windows\\System32\\wermgr.exe</Image></ProcessCreate>');
    expect(sim(r, c, 'ProcessCreate')).toEqual({ result: 'logged', reasons: [] });
  });
});

/**
 * Hand-checked against the real configs: each expectation was derived by reading the config at the line named
 * (test/fixtures/sysmon/real/SOURCES.md; SwiftOnSecurity's from the shared corpus) and the SigmaHQ rule.
 */
describe.runIf(corpusOrSkip('real Sysmon configs × SigmaHQ rules'))('real configs, hand-checked rules', () => {
  const real = (p: string) => parseSysmonConfig(p, readFileSync(p, 'utf8'), catalog);
  const modular = real(join(ROOT, 'test/fixtures/sysmon/real/sysmon-modular-sysmonconfig.xml'));
  const neo = real(join(ROOT, 'test/fixtures/sysmon/real/neo23x0-sysmonconfig-export.xml'));
  const swift = real(join(CORPUS, 'sysmon/swiftonsecurity-sysmonconfig-export.xml'));
  const sigma = (p: string) => parseRuleFile(p, readFileSync(join(CORPUS, 'sigmahq/rules/windows', p), 'utf8')).rules[0] as SigmaRule;

  it('modular: certutil download — logged; the OneDrive Image exclusion is named as an evasion, not counted', () => {
    // Terms: Image ends \certutil.exe or OriginalFileName certutil.exe, CommandLine contains urlcache / verifyctl /
    // URL and http. ProcessCreate has include and exclude sets: the include `CommandLine contains http` (line 388)
    // keeps every term; no exclusion matches C:\Windows\System32\certutil.exe nor those command lines. The
    // OneDrive exclusion (line 559, Image contains C:\Users\ + \OneDrive + \FileCoAuth.exe) made 854 rules partial.
    const s = sim(sigma('process_creation/proc_creation_win_certutil_download.yml'), modular, 'ProcessCreate');
    expect(s.result).toBe('logged');
    expect(s.reasons).toEqual([]);
    expect(s.evasion?.slice(0, 5).some((e) => e.includes('OneDrive;\\FileCoAuth.exe'))).toBe(true);
  });

  it('modular: conhost with an uncommon parent — dropped: conhost.exe at its real path is excluded outright', () => {
    // Line 663: <Image condition="is">C:\Windows\System32\conhost.exe</Image> in the ProcessCreate exclude set.
    expect(sim(sigma('process_creation/proc_creation_win_conhost_uncommon_parent.yml'), modular, 'ProcessCreate')).toEqual({
      result: 'dropped',
      reasons: ['ProcessCreate exclude: Image is C:\\Windows\\System32\\conhost.exe'],
    });
  });

  it('modular: wermgr outside its folders — the System32 wermgr exclusion does not touch it; partial only by the include set', () => {
    // The rule filters out Image under System32, SysWOW64, WinSxS, so line 666-667 (Image is …\wermgr.exe) drop none
    // of its events. No include filter on Image covers \wermgr.exe elsewhere: logged only in part.
    const s = sim(sigma('process_creation/proc_creation_win_wermgr_susp_exec_location.yml'), modular, 'ProcessCreate');
    expect(s.result).toBe('partial');
    expect(s.reasons.every((r) => !r.includes('wermgr'))).toBe(true);
    expect(s.evasion?.every((e) => !e.includes('wermgr'))).toBe(true);
  });

  it('modular: Quick Assist DNS — dropped by QueryName end with .microsoft.com', () => {
    // Line 2304 in the DnsQuery exclude set; the rule's QueryName is remoteassistance.support.services.microsoft.com.
    expect(sim(sigma('dns_query/dns_query_win_quickassist.yml'), modular, 'DnsQuery')).toMatchObject({
      result: 'dropped',
      reasons: ['DnsQuery exclude: QueryName end with .microsoft.com'],
    });
  });

  it('modular: disk cleanup handler key created — dropped: every CreateKey event is excluded', () => {
    // Line 1893: <EventType condition="is">CreateKey</EventType> in the RegistryEvent exclude set; the rule reads EventType CreateKey.
    expect(sim(sigma('registry/registry_add/registry_add_persistence_disk_cleanup_handler_entry.yml'), modular, 'RegistryEvent')).toMatchObject({
      result: 'dropped',
      reasons: ['RegistryEvent exclude: EventType is CreateKey'],
    });
  });

  it('modular: shell processes writing scripts — partial: smss.exe, one of its images, is excluded from FileCreate', () => {
    // Line 1499: <Image condition="is">C:\Windows\System32\smss.exe</Image> in the FileCreate exclude set.
    const s = sim(sigma('file/file_event/file_event_win_shell_write_susp_files_extensions.yml'), modular, 'FileCreate');
    expect(s.result).toBe('partial');
    expect(s.reasons).toContain("FileCreate exclude: Image is C:\\Windows\\System32\\smss.exe (drops some events built from the rule's values)");
  });

  it('modular: anonfiles DNS — logged; exclusions keyed on the querying Image are evasions', () => {
    // DnsQuery has only an exclude set; its QueryName exclusions (.microsoft.com …) do not end the rule's .anonfiles.com.
    const s = sim(sigma('dns_query/dns_query_win_anonymfiles_com.yml'), modular, 'DnsQuery');
    expect(s.result).toBe('logged');
    expect(s.evasion?.[0]).toMatch(/^DnsQuery exclude: Image /);
  });

  it('Neo23x0: mobsync creating executables — dropped by the mobsync.exe FileCreate exclusion', () => {
    // Line 645: <Image condition="is">C:\Windows\system32\mobsync.exe</Image> in the FileCreate exclude set (checked first).
    expect(sim(sigma('file/file_event/file_event_win_susp_creation_by_mobsync.yml'), neo, 'FileCreate')).toMatchObject({
      result: 'dropped',
      reasons: ['FileCreate exclude: Image is C:\\Windows\\system32\\mobsync.exe'],
    });
  });

  it('Neo23x0: suspicious bcdedit — logged (was partial); svchost command-line exclusions that contain "network" are evasions', () => {
    // ProcessCreate is exclude-only (line 79). The rule's CommandLine contains delete / import / safeboot / network …;
    // "C:\Windows\system32\svchost.exe -k localServiceNetworkRestricted -s Dhcp" (line 132) contains "network", so
    // only a renamed bcdedit run with exactly that command line would be dropped.
    const s = sim(sigma('process_creation/proc_creation_win_bcdedit_susp_execution.yml'), neo, 'ProcessCreate');
    expect(s.result).toBe('logged');
    expect(s.evasion?.[0]).toContain('localServiceNetworkRestricted');
  });

  it('SwiftOnSecurity: cmd with an unusual parent — partial: SearchIndexer.exe, one of its parents, is excluded', () => {
    // Line 117: <ParentImage condition="is">C:\Windows\system32\SearchIndexer.exe</ParentImage>.
    const s = sim(sigma('process_creation/proc_creation_win_cmd_unusual_parent.yml'), swift, 'ProcessCreate');
    expect(s.result).toBe('partial');
    expect(s.reasons).toEqual([
      "ProcessCreate exclude: ParentImage is C:\\Windows\\system32\\SearchIndexer.exe (drops some events built from the rule's values)",
    ]);
  });

  it('SwiftOnSecurity: chcp code page lookup — logged; the IntegrityLevel AppContainer exclusion is an evasion', () => {
    // No exclusion names chcp.com or a cmd.exe parent; IntegrityLevel is AppContainer (line 112) is not read by the rule.
    const s = sim(sigma('process_creation/proc_creation_win_chcp_codepage_lookup.yml'), swift, 'ProcessCreate');
    expect(s.result).toBe('logged');
    expect(s.evasion).toContain('ProcessCreate exclude: IntegrityLevel is AppContainer');
  });

  it('SwiftOnSecurity: Quick Assist DNS and mobsync FileCreate — dropped (lines 937 and 553)', () => {
    expect(sim(sigma('dns_query/dns_query_win_quickassist.yml'), swift, 'DnsQuery').result).toBe('dropped');
    expect(sim(sigma('file/file_event/file_event_win_susp_creation_by_mobsync.yml'), swift, 'FileCreate').result).toBe('dropped');
  });

  it('the CLI: ready with the evasion note in JSON (per rule and counted) and in --verbose', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-evasion-'));
    writeFileSync(join(dir, 'certutil.yml'), readFileSync(join(CORPUS, 'sigmahq/rules/windows/process_creation/proc_creation_win_certutil_download.yml')));
    const config = join(ROOT, 'test/fixtures/sysmon/real/sysmon-modular-sysmonconfig.xml');
    const run = runCli(['check', dir, '--sysmon', config, '--format', 'json']);
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout) as {
      rules: { verdict: string; sysmon: { result: string; evasion?: string[] }[] }[];
      readiness: { sysmon: { evasion?: { rules: number } } };
    };
    expect(out.rules[0]?.verdict).toBe('ready');
    expect(out.rules[0]?.sysmon[0]?.evasion?.some((e) => e.includes('OneDrive'))).toBe(true);
    expect(out.readiness.sysmon.evasion?.rules).toBe(1);
    const text = runCli(['check', dir, '--sysmon', config, '--verbose']);
    expect(text.stdout).toMatch(
      /evasion \(Sysmon 1, logged unless the attacker matches it\): ProcessCreate \(EID 1\) exclude: Image contains all C:\\Users\\;\\AppData\\Local\\Microsoft\\OneDrive;\\FileCoAuth\.exe/,
    );
    expect(text.stdout).toContain('Exclusions an attacker can use');
  });
});
