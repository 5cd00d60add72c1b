/**
 * The deployment hazard model (catalog hazards:), what the Sysmon generator does with hazardous types, the
 * ranked fixes' withheld list, and sysmon-lint (one test per hazard class, with lines and exit codes).
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DATA_DIR, loadCatalog } from '../../src/catalog/load.js';
import { parseSysmonConfig } from '../../src/environment/sysmon.js';
import { lintSysmonConfig, type SysmonFinding } from '../../src/assess/sysmon-lint.js';
import { ROOT, runCli } from '../helpers.js';

const catalog = loadCatalog();
const dir = mkdtempSync(join(tmpdir(), 'lsc-hazards-'));
const write = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const FIX = 'test/fixtures/sysmon-hazards';
const lint = (xml: string): SysmonFinding[] => lintSysmonConfig(parseSysmonConfig('t.xml', xml, catalog), catalog);
const brief = (f: SysmonFinding[]) => f.map((x) => `${x.line} ${x.severity} ${x.class} ${x.element}`);
/** A config's text: each line given once, so line numbers in the assertions can be counted by eye. */
const cfg = (schema: string, ...lines: string[]) => [`<Sysmon schemaversion="${schema}">`, ...lines, '</Sysmon>', ''].join('\n');

/** No enforcement element at all, no FileDelete or ClipboardChange without an include filter, no CaptureClipboard. */
function expectSafe(xml: string): void {
  expect(xml).not.toMatch(/<FileBlock(Executable|Shredding)\b/);
  expect(xml).not.toMatch(/<(FileDelete|ClipboardChange) onmatch="exclude"/);
  expect(xml).not.toMatch(/CaptureClipboard/);
  expect(lint(xml).filter((f) => f.severity === 'hazard')).toEqual([]);
}

describe('hazard model in the catalog', () => {
  it('every Sysmon event and every policy carries its hazards, each with an https source', () => {
    for (const e of [...catalog.sysmonEvents, ...catalog.policies]) {
      expect(Array.isArray(e.hazards), String('id' in e ? e.id : '')).toBe(true);
      for (const h of e.hazards) expect(h.source).toMatch(/^https:\/\//);
    }
    const classes = (id: number) => catalog.sysmonEvent(id)?.hazards.map((h) => h.class);
    expect(classes(27)).toEqual(['enforcement']);
    expect(classes(28)).toEqual(['enforcement']);
    expect(catalog.sysmonEvent(23)?.hazards).toEqual([expect.objectContaining({ class: 'archives-data', instead: 26 })]);
    expect(catalog.sysmonEvent(24)?.hazards).toEqual([
      expect.objectContaining({ class: 'archives-data', option: 'CaptureClipboard' }),
      expect.objectContaining({ class: 'privacy', option: 'CaptureClipboard' }),
    ]);
    expect(classes(26)).toEqual([]);
    expect(catalog.policy('process-creation-command-line')?.hazards.map((h) => h.class)).toEqual(['privacy']);
    expect(catalog.policy('powershell-transcription')?.hazards.map((h) => h.class)).toEqual(['privacy']);
    expect(catalog.policy('powershell-script-block-logging')?.hazards.map((h) => h.class)).toEqual(['privacy']);
  });

  it('volume is the existing rating, never a second copy; only blocking and archiving are withheld', () => {
    expect(catalog.hazards('sysmon:7').map((h) => h.class)).toEqual(['volume']); // ImageLoad: rated high
    expect(catalog.hazards('sysmon:22').map((h) => h.class)).toEqual(['volume']);
    expect(catalog.hazards('sysmon:1')).toEqual([]); // medium
    const high = catalog.subcategories.find((s) => s.volume.general === 'high' || s.volume.workstation === 'high');
    expect(high, 'some subcategory is rated high').toBeDefined();
    expect(catalog.hazards(`audit:${high?.guid}:success`).map((h) => h.class)).toEqual(['volume']);
    expect(catalog.withheld('sysmon:27')?.class).toBe('enforcement');
    expect(catalog.withheld('sysmon:23')?.class).toBe('archives-data');
    expect(catalog.withheld('sysmon:24')?.class).toBe('archives-data');
    expect(catalog.withheld('sysmon:26')).toBeUndefined();
    expect(catalog.withheld('policy:process-creation-command-line')).toBeUndefined(); // privacy: reported, still proposed
    expect(catalog.withheld('sysmon:7')).toBeUndefined(); // volume: reported, still proposed
  });

  it('the loader rejects a missing hazards list, a written volume class and an instead that is no Sysmon element', () => {
    const d = mkdtempSync(join(tmpdir(), 'lsc-hz-cat-'));
    cpSync(DEFAULT_DATA_DIR, d, { recursive: true });
    const sy = readFileSync(join(d, 'sysmon.yaml'), 'utf8');
    writeFileSync(join(d, 'sysmon.yaml'), sy.replace('    hazards: []\n', ''));
    expect(() => loadCatalog(d)).toThrow(/events\[0\] \(1\) lacks "hazards"/);
    writeFileSync(join(d, 'sysmon.yaml'), sy.replace('    hazards: []\n', '    hazards: [{ class: volume, note: x, source: "https://example.org" }]\n'));
    expect(() => loadCatalog(d)).toThrow(/class "volume" is not one of enforcement, archives-data, privacy/);
    writeFileSync(join(d, 'sysmon.yaml'), sy.replace('instead: 26', 'instead: 4'));
    expect(() => loadCatalog(d)).toThrow(/hazard "instead: 4" is not a configurable Sysmon event/);
  });
});

describe('sysmon-lint: one test per hazard class', () => {
  it('enforcement: an empty or exclude-only FileBlock* is a hazard with its line; include filters only a warning', () => {
    const f = lint(
      cfg(
        '4.90',
        '  <EventFiltering>',
        '    <RuleGroup name="" groupRelation="or">',
        '      <FileBlockExecutable onmatch="exclude"/>',
        '    </RuleGroup>',
        '    <FileBlockShredding onmatch="exclude">',
        '      <Image condition="image">sdelete64.exe</Image>',
        '    </FileBlockShredding>',
        '  </EventFiltering>',
      ),
    );
    expect(brief(f)).toEqual(['4 hazard enforcement FileBlockExecutable', '6 hazard enforcement FileBlockShredding']);
    expect(f[0]?.message).toMatch(/blocks every operation of its kind that no exclude matches/);
    const inc = lint(
      cfg(
        '4.90',
        '  <EventFiltering>',
        '    <FileBlockExecutable onmatch="include">',
        '      <Image condition="image">winword.exe</Image>',
        '    </FileBlockExecutable>',
        '  </EventFiltering>',
      ),
    );
    expect(brief(inc)).toEqual(['3 warning enforcement FileBlockExecutable']);
    // An empty include blocks nothing: no finding.
    expect(lint(cfg('4.90', '  <EventFiltering>', '    <FileBlockExecutable onmatch="include"/>', '  </EventFiltering>'))).toEqual([]);
  });

  it('archives-data: FileDelete without an include filter, and the archive directory on the system drive', () => {
    const f = lint(
      cfg(
        '4.50',
        '  <EventFiltering>',
        '    <FileDelete onmatch="exclude">',
        '      <Image condition="end with">\\svchost.exe</Image>',
        '    </FileDelete>',
        '  </EventFiltering>',
      ),
    );
    expect(brief(f)).toEqual(['3 hazard archives-data FileDelete', '3 hazard archives-data FileDelete']);
    expect(f.map((x) => x.message).join('\n')).toMatch(/FileDeleteDetected \(EID 26\) logs the same without the copy/);
    expect(f.map((x) => x.message).join('\n')).toMatch(/ArchiveDirectory is not set: archived files go to C:\\Sysmon/);
    // Include filters bound it: only the archive directory remains, as a warning; named on its own line.
    const inc = lint(
      cfg(
        '4.50',
        '  <ArchiveDirectory>SysmonArchive</ArchiveDirectory>',
        '  <EventFiltering>',
        '    <FileDelete onmatch="include">',
        '      <TargetFilename condition="end with">.ps1</TargetFilename>',
        '    </FileDelete>',
        '  </EventFiltering>',
      ),
    );
    expect(brief(inc)).toEqual(['2 warning archives-data ArchiveDirectory']);
    // A directory on another drive is not on the system drive.
    expect(
      lint(
        cfg(
          '4.50',
          '  <ArchiveDirectory>D:\\SysmonArchive</ArchiveDirectory>',
          '  <EventFiltering>',
          '    <FileDelete onmatch="include">',
          '      <TargetFilename condition="end with">.ps1</TargetFilename>',
          '    </FileDelete>',
          '  </EventFiltering>',
        ),
      ),
    ).toEqual([]);
  });

  it('archives-data and privacy: unfiltered ClipboardChange and CaptureClipboard', () => {
    const f = lint(
      cfg(
        '4.50',
        '  <CaptureClipboard/>',
        '  <ArchiveDirectory>D:\\Clip</ArchiveDirectory>',
        '  <EventFiltering>',
        '    <ClipboardChange onmatch="exclude"/>',
        '  </EventFiltering>',
      ),
    );
    expect(brief(f)).toEqual(['2 hazard privacy CaptureClipboard', '5 hazard archives-data ClipboardChange']);
    // CaptureClipboard with nothing logging 24: a warning; ClipboardChange without CaptureClipboard archives nothing.
    expect(brief(lint(cfg('4.50', '  <CaptureClipboard />', '  <EventFiltering/>')))).toEqual(['2 warning privacy CaptureClipboard']);
    expect(
      lint(
        cfg(
          '4.50',
          '  <EventFiltering>',
          '    <ClipboardChange onmatch="include">',
          '      <Image condition="image">rdpclip.exe</Image>',
          '    </ClipboardChange>',
          '  </EventFiltering>',
        ),
      ),
    ).toEqual([]);
  });

  it('schema: an element newer than the schemaversion makes Sysmon reject the file', () => {
    const f = lint(
      cfg(
        '4.50',
        '  <EventFiltering>',
        '    <ProcessCreate onmatch="exclude"/>',
        '    <FileDeleteDetected onmatch="include">',
        '      <TargetFilename condition="end with">.exe</TargetFilename>',
        '    </FileDeleteDetected>',
        '  </EventFiltering>',
      ),
    );
    expect(brief(f)).toEqual(['4 hazard schema FileDeleteDetected']);
    expect(f[0]?.message).toMatch(/needs schemaversion 4.60 or later; this file says 4.50/);
  });

  it('the docs fixture holds every class once: six hazards on the lines docs/safe-to-deploy.md shows', () => {
    const f = lint(readFileSync(`${FIX}/unsafe-config.xml`, 'utf8'));
    expect(brief(f)).toEqual([
      '4 hazard privacy CaptureClipboard',
      '10 hazard archives-data FileDelete',
      '10 hazard archives-data FileDelete',
      '15 hazard archives-data ClipboardChange',
      '18 hazard enforcement FileBlockExecutable',
      '18 hazard schema FileBlockExecutable',
    ]);
  });

  it('markup in comments and CDATA is never taken for an element', () => {
    expect(
      lint(
        cfg(
          '4.90',
          '  <!-- <FileBlockExecutable onmatch="exclude"/> -->',
          '  <EventFiltering>',
          '    <!-- <FileDelete onmatch="exclude"/>',
          '    -->',
          '    <ProcessCreate onmatch="exclude"/>',
          '  </EventFiltering>',
        ),
      ),
    ).toEqual([]);
  });
});

describe('sysmon-lint from the CLI', () => {
  it('a config with an empty FileBlockExecutable exclude: the hazard with its line, exit 1', () => {
    const bad = write(
      'block.xml',
      cfg(
        '4.90',
        '  <EventFiltering>',
        '    <RuleGroup name="" groupRelation="or">',
        '      <FileBlockExecutable onmatch="exclude"/>',
        '    </RuleGroup>',
        '  </EventFiltering>',
      ),
    );
    const r = runCli(['sysmon-lint', bad]);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/block\.xml \(schema 4\.90\): 1 hazard, 0 warnings/);
    expect(r.stdout).toMatch(/line 4\s+hazard\s+enforcement\s+FileBlockExecutable \(EID 27\)/);
    const j = runCli(['sysmon-lint', bad, '--format', 'json']);
    expect(j.status).toBe(1);
    expect(JSON.parse(j.stdout)).toMatchObject({
      hazards: 1,
      warnings: 0,
      errors: [],
      files: [{ path: bad, findings: [{ severity: 'hazard', class: 'enforcement', element: 'FileBlockExecutable', eventId: 27, line: 4 }] }],
    });
  });

  it('a real config (sysmon-modular research, SOURCES.md): its empty-exclude FileBlockExecutable and FileBlockShredding are hazards at lines 72 and 73, exit 1', () => {
    const real = join(ROOT, 'test/fixtures/sysmon-hazards/real/sysmon-modular-research.xml');
    const r = runCli(['sysmon-lint', real, '--format', 'json']);
    expect(r.status, r.stderr).toBe(1);
    const findings = (JSON.parse(r.stdout) as { files: { findings: { severity: string; class: string; element: string; line: number }[] }[] }).files[0]!
      .findings;
    expect(findings.filter((f) => f.severity === 'hazard').map((f) => [f.class, f.element, f.line])).toEqual([
      ['enforcement', 'FileBlockExecutable', 72],
      ['enforcement', 'FileBlockShredding', 73],
    ]);
  });

  it('exit 0 without a hazard; exit 2 with one line naming an unusable file, the others still linted', () => {
    const ok = write('ok.xml', cfg('4.50', '  <EventFiltering>', '    <ProcessCreate onmatch="exclude"/>', '  </EventFiltering>'));
    const r = runCli(['sysmon-lint', ok]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/0 hazards, 0 warnings/);
    const broken = write('broken.xml', '<Sysmon schemaversion="4.50"><EventFiltering>');
    const b = runCli(['sysmon-lint', broken, ok, join(dir, 'missing.xml')]);
    expect(b.status).toBe(2);
    expect(b.stderr.trim().split('\n')).toEqual([expect.stringMatching(/broken\.xml: /), expect.stringMatching(/missing\.xml: ENOENT$/)]);
    expect(b.stdout).toMatch(/ok\.xml \(schema 4\.50\): 0 hazards/);
  });

  it('check --sysmon shows the same hazards in its Sysmon section (table and JSON)', () => {
    const bad = write(
      'check-block.xml',
      cfg('4.90', '  <EventFiltering>', '    <FileBlockExecutable onmatch="exclude"/>', '    <ProcessCreate onmatch="exclude"/>', '  </EventFiltering>'),
    );
    const j = runCli(['examples/rules', '--sysmon', bad, '--format', 'json']);
    expect(j.status, j.stderr).toBe(0);
    expect(JSON.parse(j.stdout).readiness.sysmon.hazards).toEqual([
      expect.objectContaining({ severity: 'hazard', class: 'enforcement', element: 'FileBlockExecutable', line: 3 }),
    ]);
    const t = runCli(['examples/rules', '--sysmon', bad]);
    expect(t.stdout).toMatch(/Deployment hazards of the config \(sysmon-lint\)\n\s+line 3\s+hazard\s+enforcement/);
  });
});

describe("a host snapshot's Sysmon config", () => {
  it("its hazards are in the report's Sysmon section too", () => {
    const snap = join(dir, 'DC01');
    cpSync('test/fixtures/snapshot/DC01', snap, { recursive: true });
    cpSync(`${FIX}/unsafe-config.xml`, join(snap, 'sysmon-config.xml'));
    const r = runCli(['examples/rules', '--host', snap, '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const sy = JSON.parse(r.stdout).readiness.sysmon;
    expect(sy.config).toMatch(/DC01[\\/]sysmon-config\.xml$/);
    expect(sy.hazards.map((h: SysmonFinding) => `${h.line} ${h.class}`)).toEqual([
      '4 privacy',
      '10 archives-data',
      '10 archives-data',
      '15 archives-data',
      '18 enforcement',
      '18 schema',
    ]);
  });
});

describe('sysmon-config obeys the hazard model', () => {
  it('minimal and targeted: no blocking, no archiving; 27/28 get the note, never "logged unfiltered"', () => {
    for (const mode of ['minimal', 'targeted']) {
      const r = runCli(['sysmon-config', FIX, '--mode', mode]);
      expect(r.status, r.stderr).toBe(0);
      expectSafe(r.stdout);
      expect(r.stdout).toContain('<FileDeleteDetected onmatch="exclude"/>'); // 26 instead of 23, as the note says
      expect(r.stderr).toMatch(
        /FileBlockExecutable \(EID 27; 1 rule\): not written: .*detect blocks made by your own blocking policy; this tool does not write one/,
      );
      expect(r.stderr).toMatch(/FileBlockShredding \(EID 28; 1 rule\): not written/);
      expect(r.stderr).toMatch(/ClipboardChange \(EID 24; 1 rule\): not written: .*never adds CaptureClipboard/);
      expect(r.stderr).toMatch(/FileDelete \(EID 23; 2 rules\): not written: .*FileDeleteDetected \(EID 26\) .* is written instead/);
      expect(r.stderr).not.toMatch(/(FileBlock|FileDelete |ClipboardChange).*logged unfiltered/);
      expect(r.stderr).toMatch(/event types still off: 27, 28, 24, 23/); // the rules stay uncovered, and the re-parse says so
    }
  });

  it('FileDelete is written when include filters cover every rule (targeted), never in minimal mode', () => {
    const t = runCli(['sysmon-config', `${FIX}/file_delete_prefetch.yml`, '--mode', 'targeted']);
    expect(t.stdout).toContain(
      '<FileDelete onmatch="include">\n      <TargetFilename name="Prefetch File Deleted" condition="begin with">C:\\Windows\\Prefetch\\</TargetFilename>',
    );
    expect(runCli(['sysmon-lint', write('fd.xml', t.stdout)]).status).toBe(0); // the archive directory: a warning only
    const m = runCli(['sysmon-config', `${FIX}/file_delete_prefetch.yml`]);
    expect(m.stdout).not.toMatch(/<FileDelete[\s>]/);
    expect(m.stdout).toContain('<FileDeleteDetected onmatch="exclude"/>');
  });

  it('--allow-enforcement writes include-filtered enforcement only; an untargetable rule gets none', () => {
    const r = runCli(['sysmon-config', FIX, '--allow-enforcement', '--mode', 'minimal']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      '<FileBlockExecutable onmatch="include">\n      <Image name="Office Application Blocked From Writing An Executable" condition="end with">\\excel.exe</Image>',
    );
    expect(r.stdout).not.toMatch(/<FileBlock\w+ onmatch="exclude"/);
    expect(r.stdout).not.toContain('FileBlockShredding'); // EventID only: no include filter can stand for it
    expect(r.stderr).toMatch(/FileBlockShredding .*not written even with --allow-enforcement/);
    expect(r.stdout).toMatch(/^<Sysmon schemaversion="4.82">/); // not raised for an element that was not written
    const l = runCli(['sysmon-lint', write('allow.xml', r.stdout)]);
    expect(l.status).toBe(0);
    expect(l.stdout).toMatch(/warning\s+enforcement\s+FileBlockExecutable \(EID 27\) blocks what its 2 include filter/);
  });

  it('--base never adds a blocking or archiving element the base lacks, and says what the base already does', () => {
    const base = write(
      'base.xml',
      cfg(
        '4.90',
        '  <EventFiltering>',
        '    <RuleGroup name="mine" groupRelation="or">',
        '      <FileBlockShredding onmatch="exclude"/>',
        '    </RuleGroup>',
        '  </EventFiltering>',
      ),
    );
    const r = runCli(['sysmon-config', FIX, '--base', base, '--mode', 'targeted', '--allow-enforcement']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('<FileDelete ');
    expect(r.stdout).not.toContain('ClipboardChange');
    expect(r.stdout.match(/<FileBlockShredding/g)).toHaveLength(1); // the base's own, kept
    expect(r.stderr).toMatch(/the base .*base\.xml line 4: FileBlockShredding \(EID 28\) is a blocking rule.*kept: a merge never removes/);
    expect(r.stderr).toMatch(/FileDelete \(EID 23; 2 rules\): not written: .*has no FileDelete and a merge never adds an archiving element/);
  });

  it('--for-rule never prints an unfiltered blocking or archiving element', () => {
    const r = runCli(['sysmon-config', FIX, '--for-rule']);
    expect(r.stdout).not.toMatch(/<(FileBlock\w+|FileDelete|ClipboardChange) onmatch="exclude"/);
    expect(r.stdout).toContain('<!-- FileBlockExecutable not written: it blocks (enforcement); the rule detects blocks made by your own blocking policy -->');
    expect(r.stdout).toContain('<FileDelete onmatch="include">'); // the prefetch rule: include filters
    expect(r.stdout).toContain('<FileDeleteDetected onmatch="exclude"/>'); // the regex rule: 26 instead
  });
});

describe('ranked fixes never propose blocking or archiving', () => {
  it('the rules that need them are listed as withheld, never counted as unlocked', () => {
    const ps = write('ps.xml', cfg('4.90', '  <EventFiltering>', '    <ProcessCreate onmatch="exclude"/>', '  </EventFiltering>'));
    const r = runCli([FIX, '--sysmon', ps, '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const rd = JSON.parse(r.stdout).readiness;
    const proposed = rd.recommendations.flatMap((f: { requires: { id: string }[] }) => f.requires.map((q) => q.id));
    for (const id of ['sysmon:23', 'sysmon:24', 'sysmon:27', 'sysmon:28']) expect(proposed).not.toContain(id);
    const held = Object.fromEntries(rd.withheld.map((w: { requires: string[]; hazard: string; rules: number }) => [w.requires.join('+'), [w.hazard, w.rules]]));
    expect(held).toEqual({
      'sysmon:23': ['archives-data', 2],
      'sysmon:24': ['archives-data', 1],
      'sysmon:27': ['enforcement', 1],
      'sysmon:28': ['enforcement', 1],
    });
    const unlocked = rd.recommendations.reduce((n: number, f: { unlocks: number }) => n + f.unlocks, 0);
    expect(unlocked).toBe(0);
    const t = runCli([FIX, '--sysmon', ps]);
    expect(t.stdout).toMatch(/not proposed, they block or archive data: Sysmon EID 23 \(2 rules\), 24 \(1\), 27 \(1\), 28 \(1\)/);
    const md = runCli([FIX, '--sysmon', ps, '--format', 'markdown']);
    expect(md.stdout).toMatch(
      /not proposed: Sysmon EID 23 FileDelete \(archives-data; 2 rules without a fix\): turning it on copies data to disk; Sysmon EID 26 logs the same without the copy/,
    );
    // The log-source guides give no bare snippet for them either.
    const g = mkdtempSync(join(tmpdir(), 'lsc-hz-guides-'));
    expect(runCli(['guides', '--out', g]).status).toBe(0);
    const guide = readFileSync(join(g, 'windows', 'category', 'file_block.md'), 'utf8');
    expect(guide).not.toMatch(/<FileBlock\w+ onmatch="exclude"\/>/);
    expect(guide).toMatch(/No snippet: the element blocks \(enforcement\)/);
  });
});
