import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CORPUS, HAVE_CORPUS, ROOT, runCli } from '../helpers.js';

// The default table is one screen (≤ 60 lines at 120 columns, no line over the width) for every kind of host
// input: gpresult only, a snapshot with a Sysmon config (a DC), and a fleet of 1,000 snapshots. The rest is in
// --verbose.
const RULES = join(CORPUS, 'sigmahq', 'rules');
const GPRESULT = [RULES, '--gpresult', 'examples/hosts/ws-0142-gpresult.xml'];
const DC = [RULES, '--host', 'test/fixtures/snapshot/DC01'];

const at = (args: string[], columns: number) => runCli(args, { env: { COLUMNS: String(columns) } }).stdout;
const tableWidth = (text: string) =>
  Math.max(
    ...text
      .split('\n')
      .filter((l) => /^[┌│└├]/.test(l))
      .map((l) => [...l].length),
  );
const widest = (text: string) => Math.max(...text.split('\n').map((l) => [...l].length));
const lines = (text: string) => text.trimEnd().split('\n').length;

/** 1,000 snapshots made from the three fixture hosts (as bench/run.mjs does), each renamed in every input naming it. */
function fleet(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lsc-one-screen-fleet-'));
  const kinds = ['WS-0142', 'DC01', 'SRV-APP01'];
  for (let i = 0; i < 1000; i++) {
    const kind = kinds[i % 3] as string;
    const name = `SNAP-${String(i).padStart(4, '0')}`;
    const out = join(dir, name);
    cpSync(join(ROOT, 'test', 'fixtures', 'snapshot', kind), out, { recursive: true });
    for (const f of ['systeminfo.csv', 'auditpol.csv']) {
      const file = join(out, f);
      try {
        writeFileSync(file, readFileSync(file, 'latin1').split(kind).join(name), 'latin1');
      } catch {
        // SRV-APP01 has no auditpol.csv
      }
    }
  }
  return dir;
}

describe.skipIf(!HAVE_CORPUS)('one screen: SigmaHQ rules/ with one gpresult', () => {
  it('≤ 60 lines at 120 columns and ≤ 80 at 80, tables within the width', () => {
    const wide = at(GPRESULT, 120);
    const narrow = at(GPRESULT, 80);
    expect(lines(wide)).toBeLessThanOrEqual(60);
    expect(lines(narrow)).toBeLessThanOrEqual(80);
    expect(tableWidth(wide)).toBeLessThanOrEqual(119);
    expect(tableWidth(narrow)).toBeLessThanOrEqual(79);
    // Prose wraps too; only a word longer than the line (a URL) may stick out.
    for (const l of narrow.split('\n')) if ([...l].length > 79) expect(l.trim()).not.toContain(' ');
    expect(wide).toMatch(/^Readiness 61\.1% of 2,386 applicable Windows rules ready — ready 1,458 \(593 degraded\)/m);
    expect(wide).toMatch(/734 rules for other products are out of scope \(linux 210, azure 123/);
    expect(wide).not.toMatch(/linux\/category\/process_creation/); // non-Windows sources are one line, not rows
    expect(wide).toContain('Sysmon RegistryEvent (EID 12, 13, 14)'); // one fix per config element (issue 27)
    expect(wide).not.toMatch(/RegistryEvent \(EID 1[234](, 1[234])?\)/); // never split into two fixes
    expect(wide.match(/install Sysmon/g)).toHaveLength(1); // "how" said once
  });

  it('nothing is lost: --verbose lists every log source and every ranked fix', () => {
    const verbose = runCli([...GPRESULT, '--verbose']).stdout;
    const json = JSON.parse(runCli([...GPRESULT, '--format', 'json']).stdout);
    for (const l of json.summary.logsources) expect(verbose).toContain(l.logsource);
    for (const f of json.readiness.recommendations) expect(verbose).toContain(f.requires[0].name);
  });
});

describe.skipIf(!HAVE_CORPUS)('one screen: a DC snapshot with a Sysmon config', () => {
  it('≤ 60 lines at 120 columns, no line over the width, the Sysmon detail in --verbose', () => {
    const wide = at(DC, 120);
    expect(lines(wide)).toBeLessThanOrEqual(60);
    expect(widest(wide)).toBeLessThanOrEqual(119);
    const narrow = at(DC, 80);
    expect(lines(narrow)).toBeLessThanOrEqual(80);
    expect(widest(narrow)).toBeLessThanOrEqual(79);
    // The per-type table is one line here; the deployed-config fixes share one "how" line naming the config.
    expect(wide).toMatch(/^Sysmon test\/fixtures\/snapshot\/DC01\/sysmon-config\.xml \(schema 4\.90\): of \d+ event types/m);
    expect(wide).not.toMatch(/│ EID │ Element/);
    // (PipeEvent, fix 7 since fixes are per setting, is one of the deployed config's element changes too)
    expect(wide).toMatch(/fixes 1–4(, \d+)*: the deployed Sysmon config drops, cuts or leaves out FileCreate, ImageLoad/);
    expect(wide).toContain('unknown: 9 sacl requirement(s)');
    const verbose = runCli([...DC, '--verbose']).stdout;
    expect(verbose).toMatch(/│ EID │ Element/);
    expect(verbose).toContain("the deployed Sysmon config drops or cuts these rules' events: narrow FileCreate (EID 11)");
  });

  it('--top N is kept as asked: the screen gives up log-source rows, not the fixes asked for', () => {
    const out = at([...DC, '--top', '3'], 120);
    expect(out).toMatch(/^│ 3 /m);
    expect(out).not.toMatch(/^│ 4 /m);
    const all = Number(/(\d+) in all/.exec(out)?.[1]);
    expect(out).toContain(`… ${all - 3} more (--top N, --verbose)`);
  });
});

describe.skipIf(!HAVE_CORPUS)('one screen: a fleet of 1,000 host snapshots', () => {
  const dir = HAVE_CORPUS ? fleet() : '';
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  it('≤ 60 lines at 120 columns, no line over the width, the input gaps grouped over the hosts', () => {
    const wide = at([RULES, '--host', dir], 120);
    expect(lines(wide)).toBeLessThanOrEqual(60);
    expect(widest(wide)).toBeLessThanOrEqual(119);
    // At 80 columns too: the host table was one column too wide there.
    const narrow = at([RULES, '--host', dir], 80);
    expect(lines(narrow)).toBeLessThanOrEqual(80);
    expect(tableWidth(narrow)).toBeLessThanOrEqual(79);
    expect(wide).toMatch(/SNAP-0002 \+332 alike/);
    expect(wide).toMatch(/unknown on 333 hosts: 54 audit requirement\(s\) each — auditpol\.csv/);
    expect(wide).not.toMatch(/^Host SNAP-/m); // no per-host blocks on the screen
    expect(wide).not.toMatch(/conflict/); // every input of a renamed host names it
  }, 120_000);
});
if (!HAVE_CORPUS) console.warn('SKIPPED one-screen test: ../shared/corpus is absent');
