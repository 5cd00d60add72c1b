/**
 * Field evidence (issue 24, part 3): a rule whose events arrive without a field it reads is observed-without-fields
 * and names the setting that fills it; settings inferred from fields are compared with the host inputs.
 * Observations here are synthetic ObservedCounts (the model in src/observe/model.ts), except the CLI test, which
 * writes an EVTX file of 4688 records without a command line (test/fixtures/evtx/write-evtx.ts) and runs only once
 * the EVTX reader fills field evidence. Rules: test/fixtures/observed/fields-rules (README next to them).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { assessEvidence, type EvidenceHostInput } from '../../src/assess/evidence.js';
import { emptyFields, fieldFacts, indexFields } from '../../src/assess/evidence-fields.js';
import { inferSettings } from '../../src/assess/evidence-infer.js';
import { runCheck } from '../../src/check.js';
import { addEvidence } from '../../src/evidence.js';
import type { ObservationLoad } from '../../src/observe/load.js';
import { loadObservations } from '../../src/observe/load.js';
import type { ObservedCount } from '../../src/observe/model.js';
import type { RuleRow } from '../../src/result/result.js';
import { ChunkWriter, evtxFile, filetime, nul, str, u16, type Value } from '../fixtures/evtx/write-evtx.js';
import { renderHtml } from '../../src/report/html.js';
import { renderJson } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderSarif } from '../../src/report/sarif.js';
import { renderTable } from '../../src/report/table.js';
import { ROOT, runCli } from '../helpers.js';
import AjvModule from 'ajv';

const RULES = 'test/fixtures/observed/fields-rules';
const CMDLINE = 'Encoded PowerShell Command Line';
const IMAGE = 'Certutil Started';
const HASHES = 'Known Bad Tool By Hash';
// A real gpresult (CIS lab member server CIS-MS01): Audit Process Creation and the command-line policy are on.
const CIS_MS01 = 'test/fixtures/real/gpresult/member-cis-ms01-2023.xml';
const POLICY = 'policy:process-creation-command-line';

const t0 = '2026-11-01T00:00:00.000Z';
const t1 = '2026-11-15T00:00:00.000Z';
const proc4688 = (fields: Record<string, number> | undefined, records = 1200, computer?: string): ObservedCount => ({
  ...(computer ? { computer } : {}),
  channel: 'Security',
  provider: 'Microsoft-Windows-Security-Auditing',
  eventId: 4688,
  count: records,
  first: t0,
  last: t1,
  ...(fields ? { fieldRecords: records, fields } : {}),
});
const sysmon1 = (fields: Record<string, number>, values?: Record<string, Record<string, number>>, records = 900): ObservedCount => ({
  channel: 'Microsoft-Windows-Sysmon/Operational',
  eventId: 1,
  count: records,
  first: t0,
  last: t1,
  fieldRecords: records,
  fields,
  ...(values ? { values } : {}),
});
const obs = (counts: ObservedCount[]): ObservationLoad => ({
  sources: ['synthetic'],
  counts,
  notes: [],
  errors: [],
  missing: [],
  kinds: { synthetic: 1 },
  events: counts.reduce((n, c) => n + c.count, 0),
});

// Rule rows carry the fields they read only in a run with --observed (reading them parses cached rules): any
// observation file will do, the synthetic counts below replace its evidence.
const ANY_OBSERVED = ['test/fixtures/observed/generic-no-count.csv'];
const rulesOnce = runCheck([RULES], { observed: ANY_OBSERVED }).then((r) => r.result.rules);
async function judge(counts: ObservedCount[], hosts: EvidenceHostInput[] = []) {
  const rules = await rulesOnce;
  const ev = assessEvidence(rules, obs(counts), hosts);
  const at = (title: string) => ev.rules[0]?.[rules.findIndex((r) => r.title === title)];
  return { ev, at };
}

describe('observed-without-fields from synthetic field evidence', () => {
  it('4688 without CommandLine: the CommandLine rule is observed without fields and names the command-line policy', async () => {
    const { ev, at } = await judge([proc4688({ NewProcessName: 1200, ParentProcessName: 1200, SubjectLogonId: 1200 })]);
    const e = at(CMDLINE);
    expect(e?.state).toBe('observed-without-fields');
    expect(e?.emptyFields).toEqual([{ field: 'CommandLine', channel: 'Security', eventIds: [4688], present: 0, examined: 1200, setting: POLICY }]);
    expect(e?.why).toMatch(
      /^seen without fields the rule reads: CommandLine empty in 1,200 of 1,200 Security 4688: policy:process-creation-command-line fills it; seen: Security 4688 ×1,200/,
    );
    // Image is NewProcessName in 4688 (pySigma windows_audit_pipeline), present in every record: the Image rule is fine.
    expect(at(IMAGE)?.state).toBe('observed');
    expect(at(IMAGE)?.why).toMatch(/; fields present: Image$/);
    expect(ev.hosts[0]?.counts['observed-without-fields']).toBe(1);
    expect(ev.hosts[0]?.emptyFields).toEqual([{ field: 'CommandLine', channel: 'Security', eventIds: [4688], setting: POLICY, rules: 1 }]);
  });

  it('rule rows carry the fields they read only with --observed (a plain run never parses cached rules for them)', async () => {
    const plain = (await runCheck([RULES])).result.rules;
    expect(plain.some((r) => r.fields)).toBe(false);
    expect((await rulesOnce).find((r) => r.title === CMDLINE)?.fields).toEqual(['CommandLine', 'Image']);
  });

  it('without field evidence nothing is claimed about fields: observed, and the why says they were not examined', async () => {
    const { ev, at } = await judge([proc4688(undefined)]);
    expect(at(CMDLINE)?.state).toBe('observed');
    expect(at(CMDLINE)?.emptyFields).toBeUndefined();
    expect(at(CMDLINE)?.why).toMatch(/; the fields the rule reads were not examined \(no field evidence for them in the observations\)$/);
    expect(ev.hosts[0]?.emptyFields).toBeUndefined();
    expect(ev.hosts[0]?.inferred).toBeUndefined();
  });

  it('a SIEM query that counted only the fields it names: a field it did not name is not judged, one it named with 0 is', async () => {
    const listed = (fields: Record<string, number>): ObservedCount => ({ ...proc4688(fields), fieldsListedOnly: true });
    const notNamed = (await judge([listed({ NewProcessName: 1200 })])).at(CMDLINE);
    expect(notNamed?.state).toBe('observed');
    expect(notNamed?.why).toMatch(/; fields present: Image; not examined: CommandLine$/);
    expect((await judge([listed({ NewProcessName: 1200, CommandLine: 0 })])).at(CMDLINE)?.state).toBe('observed-without-fields');
  });

  it('fields of the event’s System part (EventID, Provider_Name …) are never judged', async () => {
    const rules = (await rulesOnce).map((r) => (r.title === IMAGE ? { ...r, fields: ['EventID', 'Provider_Name'] } : r));
    const ev = assessEvidence(rules, obs([proc4688({ NewProcessName: 1200 })]));
    const e = ev.rules[0]?.[rules.findIndex((r) => r.title === IMAGE)];
    expect(e?.state).toBe('observed');
    expect(e?.why).toBe('seen: Security 4688 ×1,200 (2026-11-01 → 2026-11-15)');
  });

  it('the threshold: present in 3 % of the records is empty, in 10 % is not', async () => {
    expect((await judge([proc4688({ NewProcessName: 1000, CommandLine: 30 }, 1000)])).at(CMDLINE)?.state).toBe('observed-without-fields');
    expect((await judge([proc4688({ NewProcessName: 1000, CommandLine: 100 }, 1000)])).at(CMDLINE)?.state).toBe('observed');
  });

  it('another alternative with the field makes the rule observed (Sysmon 1 carries CommandLine)', async () => {
    const { at } = await judge([proc4688({ NewProcessName: 1200 }), sysmon1({ CommandLine: 900, Image: 900, Hashes: 900 })]);
    expect(at(CMDLINE)?.state).toBe('observed');
  });

  it('a field the data does not know for the event and no record shows is not judged (never a guessed lack)', async () => {
    // No NewProcessName anywhere: it may be an older event version or a reader that left it out; Image is not judged.
    const { at } = await judge([proc4688({ SubjectLogonId: 1200 })]);
    expect(at(IMAGE)?.state).toBe('observed');
  });

  it('Sysmon 1 without Hashes names Sysmon <HashAlgorithms> as what fills it', async () => {
    const { at } = await judge([sysmon1({ CommandLine: 900, Image: 900 })]);
    const e = at(HASHES);
    expect(e?.state).toBe('observed-without-fields');
    expect(e?.emptyFields?.[0]).toMatchObject({ field: 'Hashes', settingText: 'Sysmon <HashAlgorithms>', present: 0, examined: 900 });
    expect(e?.why).toMatch(/Hashes empty in 900 of 900 Microsoft-Windows-Sysmon\/Operational 1: Sysmon <HashAlgorithms> fills it/);
  });

  it('over a fleet each computer is judged on its own records', async () => {
    const rules = await rulesOnce;
    const host = (name: string): EvidenceHostInput => ({ name, verdicts: rules.map(() => 'ready'), stateOf: () => undefined });
    const ev = assessEvidence(
      rules,
      obs([proc4688({ NewProcessName: 1200 }, 1200, 'WS-1'), proc4688({ NewProcessName: 1200, CommandLine: 1200 }, 1200, 'WS-2')]),
      [host('WS-1'), host('WS-2')],
    );
    const ri = rules.findIndex((r) => r.title === CMDLINE);
    expect(ev.rules.map((perRule) => perRule[ri]?.state)).toEqual(['observed-without-fields', 'observed']);
  });
});

describe('settings inferred from fields, compared with the inputs', () => {
  const stateOf = (state: string) => (id: string) =>
    id === POLICY ? { state, reason: 'gpresult x.xml (GPO Audit)', name: 'Include command line in process creation events' } : undefined;

  it('CommandLine empty in every 4688 while the inputs say the policy is on: a conflict naming both sides', () => {
    const r = inferSettings(indexFields([proc4688({ NewProcessName: 1200 })]), stateOf('on'));
    expect(r.inferred).toEqual([{ setting: POLICY, value: 'off', basis: 'CommandLine present in 0 of 1,200 Security 4688' }]);
    expect(r.conflicts).toEqual([
      {
        setting: `Include command line in process creation events (${POLICY})`,
        evidence: 'off',
        config: 'on (gpresult x.xml (GPO Audit))',
        basis: 'CommandLine present in 0 of 1,200 Security 4688',
      },
    ]);
  });

  it('agreement, an unknown input state and a mixed share are never conflicts', () => {
    expect(inferSettings(indexFields([proc4688({ CommandLine: 1190 })]), stateOf('on')).conflicts).toEqual([]);
    expect(inferSettings(indexFields([proc4688({ CommandLine: 0 })]), stateOf('unknown')).conflicts).toEqual([]);
    const mixed = inferSettings(indexFields([proc4688({ CommandLine: 600 })]), stateOf('off'));
    expect(mixed.inferred).toEqual([]);
    expect(mixed.conflicts).toEqual([]);
    // 4688 with the command line while the inputs say off: on, a conflict.
    expect(inferSettings(indexFields([proc4688({ CommandLine: 1200 })]), stateOf('off')).conflicts[0]).toMatchObject({
      evidence: 'on',
      config: expect.stringMatching(/^off/),
    });
  });

  it('Sysmon hash algorithms from the Hashes values, compared with the config when one is given', () => {
    const idx = indexFields([sysmon1({ Hashes: 900 }, { Hashes: { SHA1: 900, MD5: 900, IMPHASH: 900 } })]);
    const r = inferSettings(idx, undefined, ['SHA256']);
    expect(r.inferred).toEqual([
      {
        setting: 'Sysmon <HashAlgorithms>',
        value: 'IMPHASH,MD5,SHA1',
        basis: 'Hashes of 900 Microsoft-Windows-Sysmon/Operational 1: SHA1 ×900, MD5 ×900, IMPHASH ×900',
      },
    ]);
    expect(r.conflicts).toEqual([{ setting: 'Sysmon <HashAlgorithms>', evidence: 'IMPHASH,MD5,SHA1', config: 'SHA256', basis: expect.any(String) }]);
    expect(inferSettings(idx, undefined, ['md5', 'sha1', 'imphash']).conflicts).toEqual([]);
    expect(inferSettings(idx, undefined, undefined).conflicts).toEqual([]);
  });

  it('a Sysmon config fixture with <HashAlgorithms>MD5,SHA256,IMPHASH</HashAlgorithms> + events hashed with SHA1 only: conflict', async () => {
    const run = await runCheck([RULES], { environment: { sysmon: ['test/fixtures/sysmon/exclude-only.xml'] }, keepHosts: true, observed: ANY_OBSERVED });
    const result = addEvidence(run.result, obs([sysmon1({ Hashes: 900, CommandLine: 900, Image: 900 }, { Hashes: { SHA1: 900 } })]), run.assessment);
    const host = result.evidence?.hosts[0];
    expect(host?.inferred).toContainEqual({
      setting: 'Sysmon <HashAlgorithms>',
      value: 'SHA1',
      basis: 'Hashes of 900 Microsoft-Windows-Sysmon/Operational 1: SHA1 ×900',
    });
    expect(host?.conflicts).toEqual([{ setting: 'Sysmon <HashAlgorithms>', evidence: 'SHA1', config: 'MD5,SHA256,IMPHASH', basis: expect.any(String) }]);
  });

  it('4104 arriving is never read as script block logging on (PowerShell logs suspicious blocks without the policy)', () => {
    const c: ObservedCount = {
      channel: 'Microsoft-Windows-PowerShell/Operational',
      eventId: 4104,
      count: 50,
      fieldRecords: 50,
      fields: { ScriptBlockText: 50 },
    };
    const r = inferSettings(indexFields([c]), () => ({ state: 'off', reason: 'not configured' }));
    expect(r.inferred).toEqual([]);
    expect(r.conflicts).toEqual([]);
  });

  it('a real gpresult saying the policy is on + 4688 without command lines from that computer: conflict and rule state', async () => {
    const run = await runCheck([RULES], { environment: { gpresult: [CIS_MS01] }, keepHosts: true, observed: ANY_OBSERVED });
    const result = addEvidence(
      run.result,
      obs([proc4688({ NewProcessName: 1200, ParentProcessName: 1200 }, 1200, 'CIS-MS01.corp.oriontech.info')]),
      run.assessment,
    );
    const host = result.evidence?.hosts[0];
    expect(host?.name).toMatch(/CIS-MS01/i);
    expect(host?.conflicts).toEqual([
      {
        setting: `Include command line in process creation events (${POLICY})`,
        evidence: 'off',
        config: expect.stringMatching(/^on \(gpresult member-cis-ms01-2023\.xml/),
        basis: 'CommandLine present in 0 of 1,200 Security 4688',
      },
    ]);
    const rule = result.rules.find((r) => r.title === CMDLINE) as RuleRow;
    expect(rule.verdict).toBe('ready');
    expect(rule.evidence?.state).toBe('observed-without-fields');
    expect(rule.evidence?.why).toMatch(
      /CommandLine empty in 1,200 of 1,200 Security 4688: Include command line in process creation events \(policy:process-creation-command-line\) fills it/,
    );
  });
});

describe('every report shows field evidence (library path: no reader needed)', () => {
  it('table, Markdown, HTML, SARIF and schema-valid JSON carry the state, the setting and the conflict', async () => {
    const run = await runCheck([RULES], { environment: { gpresult: [CIS_MS01] }, keepHosts: true, observed: ANY_OBSERVED });
    const result = addEvidence(run.result, obs([proc4688({ NewProcessName: 1200, ParentProcessName: 1200 }, 1200, 'CIS-MS01')]), run.assessment);
    const table = renderTable(result, { color: false, width: 200 });
    expect(table).toMatch(/fields: 1 rule\(s\) observed without fields \(CommandLine empty in Security 4688: policy:process-creation-command-line fills it\)/);
    expect(table).toMatch(/observed without fields the rule reads: 1 rule\(s\)/);
    expect(table).toMatch(/settings the events contradict: 1/);
    expect(table).toMatch(/│ Log source +│ Rules │ Observed │ No fields │ Partly │/);
    const md = renderMarkdown(result);
    expect(md).toMatch(/\| Log source \| Rules \| Observed \| Without fields \| Partly \|/);
    expect(md).toMatch(/1 rule\(s\) observed without fields the rule reads/);
    expect(md).toMatch(/1 setting\(s\) the events contradict/);
    const html = renderHtml(result);
    expect(html).toMatch(/Observed without fields the rule reads \(1\)/);
    expect(html).toMatch(/<th class="n">No fields<\/th>/);
    const sarif = JSON.parse(renderSarif(result));
    const note = sarif.runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'logsource/observed-without-fields');
    expect(note.message.text).toMatch(/^Encoded PowerShell Command Line: seen without fields it reads\. seen without fields the rule reads: CommandLine empty/);
    expect(note.properties.emptyFields[0]).toMatchObject({ field: 'CommandLine', setting: POLICY });
    expect(sarif.runs[0].tool.driver.rules.map((x: { id: string }) => x.id)).toContain('logsource/observed-without-fields');
    const Ajv = (AjvModule as unknown as { default?: unknown }).default ?? AjvModule;
    const schema = JSON.parse(readFileSync(join(ROOT, 'docs', 'report.schema.json'), 'utf8'));
    const validate = new (Ajv as unknown as new (o: object) => { compile: (s: object) => ((d: unknown) => boolean) & { errors?: unknown[] | null } })({
      allErrors: true,
      strict: true,
      allowUnionTypes: true,
    }).compile(schema);
    const json = JSON.parse(renderJson(result));
    expect(json.evidence.hosts[0].conflicts).toHaveLength(1);
    validate(json);
    expect(validate.errors ?? []).toEqual([]);
  });
});

describe('data/evidence-inference.yaml', () => {
  it('loads, and agrees with the catalog: the 4688 CommandLine filler is the enricher data/logsources.yaml lists', () => {
    const f = fieldFacts();
    const catalog = loadCatalog();
    const src = catalog.logsource('windows', 'process_creation')?.sources.find((s) => s.events?.includes(4688));
    const enricher = src?.enrichers?.find((e) => e.fields.includes('CommandLine'));
    expect(f.known.get('security|4688')?.get('commandline')?.setting).toBe(enricher?.requires);
    expect(catalog.checkRequirement(enricher?.requires ?? '')).toBeUndefined();
    // Every Sysmon event the Hashes entry names lists Hashes among its fields.
    for (const [k, m] of f.known) {
      if (!m.has('hashes')) continue;
      const id = Number(k.split('|')[1]);
      expect(catalog.sysmonEvent(id)?.fields, `Sysmon ${id}`).toContain('Hashes');
    }
    expect(f.names.get('security|4688')?.get('image')).toBe('NewProcessName');
    // Every setting the data names as a requirement id is one the catalog knows.
    const settings = [
      ...[...f.known.values()].flatMap((m) => [...m.values()].flatMap((x) => (x.setting ? [x.setting] : []))),
      ...f.inferences.map((i) => i.setting),
    ];
    expect(settings.length).toBeGreaterThan(1);
    for (const id of settings) expect(catalog.checkRequirement(id), id).toBeUndefined();
  });

  it('a malformed file is one error naming it and the bad entry (internal error, never a guess)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-fields-'));
    const file = join(dir, 'evidence-inference.yaml');
    writeFileSync(
      file,
      'thresholds: { emptyBelow: 500, onAtLeast: 95, offAtMost: 5 }\nfields:\n  - { channel: Security, events: [x], field: CommandLine, sourc: typo }\n',
    );
    expect(() => fieldFacts(file)).toThrow(
      /evidence-inference\.yaml: thresholds emptyBelow must be a percentage[\s\S]*fields\[0\] unknown key "sourc"[\s\S]*fields\[0\] events must be event IDs/,
    );
  });

  it('hostile numbers never throw and never judge: NaN, negative and oversized counts', async () => {
    const bad: ObservedCount[] = [
      { ...proc4688({ CommandLine: Number.NaN, NewProcessName: -3 }), fieldRecords: Number.NaN },
      { ...proc4688({ CommandLine: -1 }), fieldRecords: -10 },
    ];
    expect(indexFields(bad).size).toBe(0);
    expect((await judge(bad)).at(CMDLINE)?.state).toBe('observed');
    // A field counted in more records than were examined counts as present in all of them, never more.
    const t = indexFields([proc4688({ CommandLine: 5000 }, 100)]).get('security|4688');
    expect(t?.present.get('commandline')).toBe(100);
  });

  it('emptyFields ignores branches without a channel and rules that read nothing', () => {
    const idx = indexFields([proc4688({})]);
    expect(emptyFields({ channel: '', eventIds: [4688] }, ['CommandLine'], idx)).toEqual([]);
    expect(emptyFields({ channel: 'Security', eventIds: [4688] }, [], idx)).toEqual([]);
  });
});

// --- CLI over an EVTX file of 4688 records without a command line --------------------------------------------

/** A 4688 record: System as in write-evtx's systemTemplate, EventData as the Microsoft event-4688 page lists it. */
function template4688(w: ChunkWriter): void {
  w.open('Event', true).attr('xmlns').text('http://schemas.microsoft.com/win/2004/08/events/event').close();
  w.open('System').close();
  w.open('Provider', true).attr('Name').sub(0, 0x01).attr('Guid').sub(6, 0x0f, true).closeEmpty();
  w.open('EventID', true).attr('Qualifiers').sub(1, 0x06, true).close().sub(2, 0x06).end();
  w.open('Level').close().text('0').end();
  w.open('TimeCreated', true).attr('SystemTime').sub(3, 0x11, true).closeEmpty();
  w.open('Channel').close().sub(4, 0x01).end();
  w.open('Computer').close().sub(5, 0x01).end();
  w.end();
  w.open('EventData').close();
  ['SubjectUserName', 'NewProcessName', 'CommandLine', 'ParentProcessName'].forEach((name, i) =>
    w
      .open('Data', true)
      .attr('Name')
      .text(name)
      .close()
      .sub(7 + i, 0x01, true)
      .end(),
  );
  w.end();
  w.end();
}

function write4688Evtx(): string {
  const w = new ChunkWriter();
  const images = [
    'C:\\Windows\\System32\\svchost.exe',
    'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    'C:\\Windows\\System32\\certutil.exe',
  ];
  for (let i = 0; i < 30; i++) {
    const time = new Date(Date.parse(t0) + i * 3_600_000 * 11).toISOString();
    const values: Value[] = [
      str('Microsoft-Windows-Security-Auditing'),
      nul(),
      u16(4688),
      filetime(time),
      str('Security'),
      str('WS-0142.corp.contoso.com'),
      nul(),
      str('WS-0142$'),
      str(images[i % 3] as string),
      str(''),
      str('C:\\Windows\\explorer.exe'),
    ];
    w.record(i + 1, time, (c) => c.instance('4688', template4688, values));
  }
  const dir = mkdtempSync(join(tmpdir(), 'lsc-4688-'));
  const file = join(dir, 'security-4688-no-cmdline.evtx');
  writeFileSync(file, evtxFile([w.finish()]));
  return file;
}

const EVTX = write4688Evtx();
const READ = loadObservations([EVTX]);
// The EVTX reader fills field evidence once the EVTX field-reading work is in (issue 24, part 1); until then the
// records are counted only and this test cannot say anything.
const FIELDS_READ = READ.counts.some((c) => c.fieldRecords !== undefined);

describe('check --observed <4688 EVTX without command lines>', () => {
  it('the fixture is read as 30 Security 4688 records of WS-0142', () => {
    expect(READ.errors).toEqual([]);
    expect(READ.counts).toEqual([expect.objectContaining({ channel: 'Security', eventId: 4688, count: 30 })]);
  });

  it('the EVTX reader examines fields', () => expect(FIELDS_READ).toBe(true));
  it('table, JSON and SARIF: the CommandLine rule is observed without fields and names the policy', () => {
    const t = runCli([RULES, '--observed', EVTX], { env: { COLUMNS: '' } });
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toMatch(
      /fields: 1 rule\(s\) observed without fields \(CommandLine empty in Security 4688: policy:process-creation-command-line fills it\)/,
    );
    const j = JSON.parse(runCli([RULES, '--observed', EVTX, '--format', 'json']).stdout);
    const rule = j.rules.find((r: RuleRow) => r.title === CMDLINE);
    expect(rule.evidence.state).toBe('observed-without-fields');
    expect(rule.evidence.emptyFields[0]).toMatchObject({ field: 'CommandLine', present: 0, examined: 30, setting: POLICY });
    expect(j.rules.find((r: RuleRow) => r.title === IMAGE).evidence.state).toBe('observed');
    const sarif = JSON.parse(runCli([RULES, '--observed', EVTX, '--format', 'sarif']).stdout);
    expect(sarif.runs[0].results.filter((x: { ruleId: string }) => x.ruleId === 'logsource/observed-without-fields')).toHaveLength(1);
  });
});

// --- CLI over a SIEM field-count export (Sentinel / Log Analytics), with WS-0142's gpresult ---------------------
const SENTINEL = 'test/fixtures/observed/sentinel-field-counts.csv';
const SIEM_FIELDS = existsSync(SENTINEL) && loadObservations([SENTINEL]).counts.some((c) => c.fieldRecords !== undefined);

describe('check --gpresult <WS-0142> --observed <Sentinel field counts>', () => {
  it('the Sentinel field-count reader examines fields', () => expect(SIEM_FIELDS).toBe(true));
  it('names the policy for the CommandLine rule, and the conflict with the gpresult that says it is on', () => {
    const args = [RULES, '--gpresult', 'test/fixtures/environment/gpresult-utf16le-multi-gpo.xml', '--observed', SENTINEL];
    const t = runCli(args, { env: { COLUMNS: '' } });
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/^Evidence +33\.3% of 3 judged Windows rules observed — observed 1 · without fields 1 · partly 0/m);
    expect(t.stdout).toMatch(
      /^ {2}fields: 1 rule\(s\) observed without fields \(CommandLine empty in Security 4688: policy:process-creation-command-line fills it\)$/m,
    );
    expect(t.stdout).toMatch(
      /Include command line in process creation events \(policy:process-creation-command-line\): the events say off \(CommandLine present in 0 of 1,204 Security 4688\), the inputs say on \(gpresult gpresult-utf16le-multi-gpo\.xml/,
    );
    const j = JSON.parse(runCli([...args, '--format', 'json']).stdout);
    expect(j.rules.find((r: RuleRow) => r.title === CMDLINE).evidence).toMatchObject({
      state: 'observed-without-fields',
      emptyFields: [{ field: 'CommandLine', present: 0, examined: 1204, setting: POLICY }],
    });
    expect(j.evidence.hosts[0].conflicts).toHaveLength(1);
    const md = runCli([...args, '--format', 'markdown']).stdout;
    expect(md).toMatch(/1 setting\(s\) the events contradict/);
    const html = runCli([...args, '--format', 'html']).stdout;
    expect(html).toMatch(/Observed without fields the rule reads \(1\)/);
    expect(html).toMatch(/Settings the events contradict \(1\)/);
  });
});
