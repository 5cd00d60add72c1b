/**
 * set-audit-sacls.ps1 is safe as written: entries sit on registry keys (never value names), no entry is
 * inherited by a tree data/sacl-scope.yaml marks broad, the count printed is the number of entries written,
 * and each host gets the keys of the rules that apply to it (fixtures: test/fixtures/sacl/README.md).
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DATA_DIR, loadCatalog } from '../../src/catalog/load.js';
import { runCheck } from '../../src/check.js';
import { buildRemediation, type RemediationFile } from '../../src/generate/remediation.js';
import { saclTargets } from '../../src/generate/sacl-script.js';
import { saclScripts } from '../../src/generate/sacl-hosts.js';
import type { SigmaRule } from '../../src/rules/model.js';
import { corpusOrSkip, CORPUS, ROOT } from '../helpers.js';

const catalog = loadCatalog();
const FX = join(ROOT, 'test/fixtures/sacl');
const SNAP = join(ROOT, 'test/fixtures/snapshot');

interface Line {
  fn: string;
  path: string;
  rights: string;
  inherit: string;
  flags: string;
}

/** The entries a script writes: one Add-*Audit call with three single-quoted arguments each. */
function entries(script: string): Line[] {
  const out: Line[] = [];
  for (const l of script.split('\r\n')) {
    if (!/^Add-(Registry|File)Audit /.test(l)) continue;
    const m = /^(Add-(?:Registry|File)Audit) '((?:[^']|'')*)' '([^']*)' '([^']*)' '(Success|Success,Failure)'$/.exec(l);
    expect(m, l).not.toBeNull();
    out.push({ fn: m![1]!, path: m![2]!.replace(/''/g, "'"), rights: m![3]!, inherit: m![4]!, flags: m![5]! });
  }
  return out;
}

const broadRegistry = new Set(catalog.saclScope.registry.map((b) => b.path.replace(/^HKLM\\/i, 'HKLM:\\').toLowerCase()));
const broadFolders = new Set(catalog.saclScope.folders.map((b) => b.path.toLowerCase()));

function noBroadInheritance(lines: Line[]) {
  for (const l of lines) {
    const broad = l.fn === 'Add-RegistryAudit' ? broadRegistry : broadFolders;
    if (broad.has(l.path.toLowerCase())) expect(l.inherit, l.path).toBe('None');
  }
}

/** The count in "wrote … (N settings)" and in the note must be the entries the script writes. */
function countsMatch(files: RemediationFile[], notes: string[]) {
  const scripts = files.filter((f) => /^set-audit-sacls(-.+)?\.ps1$/.test(f.name));
  for (const f of scripts) {
    const lines = entries(f.content.toString('utf8'));
    expect(f.settings, f.name).toBe(lines.length);
    const note = notes.find((n) => n.includes(`${f.name} adds one to`) || (n.includes(' adds one to ') && n.includes(f.name)));
    expect(note, f.name).toBeDefined();
    const m = / adds one to (\d+) registry key\(s\) and (\d+) folder\(s\)/.exec(note!);
    expect(Number(m![1]) + Number(m![2])).toBe(lines.length);
    expect(Number(m![1])).toBe(lines.filter((l) => l.fn === 'Add-RegistryAudit').length);
  }
  return scripts;
}

describe('set-audit-sacls.ps1 on the fixture rules', async () => {
  const run = await runCheck([FX], { cacheDir: false, workers: false });
  const rules = run.load.rules.filter((r): r is SigmaRule => r.kind === 'rule');
  const needs = {
    registry: new Set(
      rules.filter((r) => r.logsource.category?.startsWith('registry_') || (r.detection.selection && JSON.stringify(r.detection).includes('REGISTRY'))),
    ),
    file: new Set(rules.filter((r) => r.title.includes('File'))),
  };
  const t = saclTargets(run.load.rules, needs, catalog.saclScope);
  const reg = (p: string) => t.registry.get(p.toLowerCase());

  it('a value name (registry_set endswith, "(Default)") is audited on the key that holds it, never as a key', () => {
    expect(reg('HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System')).toMatchObject({ inherit: true, rights: new Set(['SetValue']) });
    expect(reg('HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\EnableLUA')).toBeUndefined();
    expect(reg('HKLM:\\SOFTWARE\\Classes\\htmlfile\\shell\\open\\command')).toBeDefined();
    expect([...t.registry.values()].some((e) => /\\EnableLUA$|\\\(Default\)$|\\Start$/i.test(e.path))).toBe(false);
    // "\Services\VSS\Start" (contains): a value or part of a name, so its key VSS, inherited
    expect(reg('HKLM:\\SYSTEM\\CurrentControlSet\\Services\\VSS')).toMatchObject({ inherit: true });
    expect(t.valuesToKeys).toBeGreaterThanOrEqual(3);
  });

  it('a broad tree gets an entry on that key only; a whole word under it is the key it names; a fragment is skipped', () => {
    expect(reg('HKLM:\\SYSTEM\\CurrentControlSet\\Services')).toMatchObject({ inherit: false });
    expect(reg('HKLM:\\SYSTEM\\CurrentControlSet\\Services')!.broad).toMatch(/service/i);
    // \CurrentVersion\Run: CurrentVersion is broad, Run is the key
    expect(reg('HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run')).toMatchObject({ inherit: true });
    expect(reg('HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion')).toBeUndefined();
    // the rule's filter names RunOnce: a key the rule does not want is not audited
    expect(reg('HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\RunOnce')).toBeUndefined();
    // \Classes\CLSID\{ : neither CLSID with inheritance nor a key named "{"
    expect([...t.registry.keys()].filter((k) => k.includes('\\classes\\clsid'))).toEqual([]);
    expect(t.skipped).toBeGreaterThanOrEqual(1);
  });

  it('rights follow the rule: key creation on the parent (CreateSubKey), 4657 on the key (SetValue); folders by ObjectName', () => {
    expect(reg('HKLM:\\SOFTWARE\\Microsoft\\NetSh')).toMatchObject({ rights: new Set(['CreateSubKey']) });
    expect(reg('HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Lsa')).toMatchObject({ rights: new Set(['SetValue']), inherit: true });
    expect(t.file.get('c:\\windows\\system32\\tasks')).toMatchObject({ inherit: true });
    expect(t.file.get('c:\\windows\\system32')).toMatchObject({ inherit: false });
  });

  it('the written script: keys only, no inheritance on broad trees, only AddAuditRule, every path escaped', async () => {
    const host = await runCheck([FX], { cacheDir: false, workers: false, keepHosts: true, environment: { host: [join(SNAP, 'WS-0142')] } });
    const { files, notes } = buildRemediation(host.result, catalog, host.environment!.hosts, host.load.rules, {
      perHost: host.assessment!.hosts.map((h) => h.rules),
    });
    const [ps1] = countsMatch(files, notes);
    expect(ps1?.name).toBe('set-audit-sacls.ps1');
    const text = ps1!.content.toString('utf8');
    const lines = entries(text);
    expect(lines.length).toBeGreaterThan(3);
    noBroadInheritance(lines);
    expect(lines.some((l) => l.inherit === 'None')).toBe(true);
    for (const l of lines) expect(l.path).not.toMatch(/\\(EnableLUA|\(Default\)|Start)$/i);
    // Success only, except the 4656 rule, which reads failed handle requests too
    expect(lines.filter((l) => l.flags !== 'Success').map((l) => l.path)).toEqual(['HKLM:\\SOFTWARE\\Microsoft\\Test Agent']);
    expect(text).toContain('AddAuditRule');
    expect(text).not.toMatch(/RemoveAuditRule|SetAuditRule|PurgeAuditRules|SetAuditRuleProtection/);
    expect(text).toContain('Test-Path -LiteralPath $Path');
  });
});

describe('one script per host when their rules differ', async () => {
  const run = await runCheck([FX], { cacheDir: false, workers: false, keepHosts: true, environment: { host: [join(SNAP, 'DC01'), join(SNAP, 'WS-0142')] } });
  const hosts = run.environment!.hosts;
  const rows = run.result.rules;

  it('a rule not applicable to the workstation adds no key to its script; the DC script has it', () => {
    const lsa = rows.findIndex((r) => r.title === 'Test LSA Key Value Modified');
    expect(lsa).toBeGreaterThanOrEqual(0);
    // Verdicts as the assessment gives them: every rule blocked on both, except the LSA rule on the workstation (another role's rule)
    const perHost = hosts.map((h) =>
      rows.map((_r, i) => ({ verdict: h.name === 'WS-0142' && i === lsa ? 'not-applicable' : 'blocked', missing: [] as string[] })),
    );
    const out = saclScripts(run.result, catalog, hosts, run.load.rules, ['sacl:file', 'sacl:registry'], perHost);
    expect(out.files.map((f) => f.name).sort()).toEqual(['set-audit-sacls-DC01.ps1', 'set-audit-sacls-WS-0142.ps1']);
    const dc = entries(out.files.find((f) => f.name.endsWith('DC01.ps1'))!.script).map((l) => l.path);
    const ws = entries(out.files.find((f) => f.name.endsWith('WS-0142.ps1'))!.script).map((l) => l.path);
    expect(dc).toContain('HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Lsa');
    expect(ws).not.toContain('HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Lsa');
    expect(dc.length).toBe(ws.length + 1);
  });

  it('the same rule set everywhere: one set-audit-sacls.ps1', () => {
    const perHost = hosts.map(() => rows.map(() => ({ verdict: 'blocked', missing: [] as string[] })));
    const out = saclScripts(run.result, catalog, hosts, run.load.rules, ['sacl:registry'], perHost);
    expect(out.files.map((f) => f.name)).toEqual(['set-audit-sacls.ps1']);
    expect(out.files[0]!.hosts).toEqual(['DC01', 'WS-0142']);
  });

  it('real verdicts: a rule ready on a host (Sysmon logs it) adds no key there', () => {
    const { files, notes } = buildRemediation(run.result, catalog, hosts, run.load.rules, { perHost: run.assessment!.hosts.map((h) => h.rules) });
    const scripts = countsMatch(files, notes);
    const ready = (host: string) => run.assessment!.hosts.find((h) => h.name === host)!.rules.filter((v) => v.verdict === 'ready').length;
    // DC01 runs Sysmon, WS-0142 does not: their verdicts differ, so do their scripts
    expect(ready('DC01')).not.toBe(ready('WS-0142'));
    const byHost = new Map(
      scripts.map((f) => [
        f.name,
        entries(f.content.toString('utf8'))
          .map((l) => l.path)
          .join('\n'),
      ]),
    );
    expect(byHost.get('set-audit-sacls.ps1')).toBeUndefined();
    expect(byHost.get('set-audit-sacls-DC01.ps1')).not.toBe(byHost.get('set-audit-sacls-WS-0142.ps1'));
    for (const f of scripts) noBroadInheritance(entries(f.content.toString('utf8')));
  });
});

describe.skipIf(!corpusOrSkip('sigmahq/rules'))('SigmaHQ rules/ on the DC and workstation snapshots', async () => {
  const run = await runCheck([join(CORPUS, 'sigmahq/rules')], {
    cacheDir: false,
    workers: false,
    keepHosts: true,
    environment: { host: [join(SNAP, 'DC01'), join(SNAP, 'WS-0142')] },
  });
  const { files, notes } = buildRemediation(run.result, catalog, run.environment!.hosts, run.load.rules, {
    perHost: run.assessment!.hosts.map((h) => h.rules),
  });

  it('the workstation gets its own script, every entry a key, no broad tree inherited, the count equal to the entries', () => {
    const scripts = countsMatch(files, notes);
    const ws = scripts.find((f) => f.name === 'set-audit-sacls-WS-0142.ps1');
    expect(ws).toBeDefined();
    const lines = entries(ws!.content.toString('utf8'));
    noBroadInheritance(lines);
    // Value names SigmaHQ rules name (registry_set): none is written as a key
    for (const l of lines) expect(l.path).not.toMatch(/\\(EnableLUA|DumpType|Autorun|\(Default\)|ServiceDll|PromptOnSecureDesktop|LegalNoticeText)$/i);
    const paths = new Set(lines.map((l) => l.path.toLowerCase()));
    expect(paths.size).toBe(lines.length);
  }, 10_000);
});

describe('data/sacl-scope.yaml', () => {
  it('every broad tree has a reason; the catalog lists the trees the issue named', () => {
    for (const b of [...catalog.saclScope.registry, ...catalog.saclScope.folders]) expect(b.reason.length, b.path).toBeGreaterThan(20);
    for (const k of [
      'HKLM\\SYSTEM\\CurrentControlSet\\Control',
      'HKLM\\SYSTEM\\CurrentControlSet\\Services',
      'HKLM\\SOFTWARE\\Classes\\CLSID',
      'HKLM\\SOFTWARE\\Microsoft\\Windows Defender',
      'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings',
    ])
      expect(broadRegistry.has(k.replace('HKLM\\', 'HKLM:\\').toLowerCase()), k).toBe(true);
  });

  it('a malformed entry fails the catalog load, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-scope-'));
    cpSync(DEFAULT_DATA_DIR, dir, { recursive: true });
    writeFileSync(join(dir, 'sacl-scope.yaml'), 'registry:\n  - key: SOFTWARE\\Microsoft\n    reason: ""\n    inherit: true\nfolders: []\n');
    expect(() => loadCatalog(dir)).toThrow(/sacl-scope\.yaml: registry\[0\] "key" should look like HKLM/);
    expect(() => loadCatalog(dir)).toThrow(/sacl-scope\.yaml: registry\[0\] unknown key "inherit"/);
  });
});
