/**
 * Evidence (--observed) joined with verdicts: the states on one host (gpresult fixture + a Splunk counts CSV
 * written for these tests), evidence alone, the window note, what never counts as a contradiction, fleets,
 * and the CLI in every format. Fixtures: test/fixtures/observed/README.md.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assessEvidence, computerKey, type EvidenceRule } from '../../src/assess/evidence.js';
import { runCheck } from '../../src/check.js';
import type { RuleRow } from '../../src/result/result.js';
import { runCli } from '../helpers.js';

const FX = 'test/fixtures/observed';
const RULES = `${FX}/rules`;
const WS0142 = 'test/fixtures/environment/gpresult-utf16le-multi-gpo.xml';
const byTitle = (rules: RuleRow[]) => new Map(rules.map((r) => [r.title, r]));

describe('evidence on one host: gpresult of WS-0142 + Splunk counts', () => {
  it('gives every state, each with its reason; another computer’s events never count for this host', async () => {
    const { result } = await runCheck([RULES], { environment: { gpresult: [WS0142] }, observed: [`${FX}/splunk-stats-ws0142.csv`] });
    const r = byTitle(result.rules);
    const at = (title: string) => r.get(title) as RuleRow;

    // Audit Logon Success is on and 4624 arrives from ws-0142.corp.contoso.com (the FQDN is the same host).
    expect(at('Successful Network Logon').verdict).toBe('ready');
    expect(at('Successful Network Logon').evidence?.state).toBe('observed');
    expect(at('Successful Network Logon').evidence?.seen).toEqual([
      { channel: 'Security', eventId: 4624, count: 1532, first: '2026-11-01T00:00:00.000Z', last: '2026-11-14T23:59:00.000Z' },
    ]);
    // 4625 is configured (Logon Failure on) but only LT-2207 sent one.
    expect(at('Network Logon Succeeded Or Failed').evidence?.state).toBe('partly-observed');
    expect(at('Network Logon Succeeded Or Failed').evidence?.unseen).toEqual([{ channel: 'Security', eventIds: [4625] }]);
    // 4728 is configured on (Security Group Management Success) and only LT-2207 has it: silent here, with why.
    const silent = at('Member Added To A Security-Enabled Global Group').evidence;
    expect(silent?.state).toBe('silent');
    expect(silent?.why).toMatch(/configured on \(verdict ready\) but not seen: Security 4728 \(the channel arrives/);
    expect(silent?.why).toMatch(/can be normal/);
    // Special Logon is cleared by the GPO's advanced audit policy, yet 4672 arrives: the inputs are stale.
    const despite = at('Special Privileges Assigned To New Logon');
    expect(despite.verdict).toBe('blocked');
    expect(despite.evidence?.state).toBe('observed-despite-config');
    expect(despite.evidence?.why).toMatch(
      /Security 4672 arrives although the inputs say Audit Special Logon — Success is off \(gpresult .*\): the inputs are stale or incomplete/,
    );
    // Sysmon is not in the inputs and nothing of its channel arrives.
    const none = at('Outbound RDP Connection').evidence;
    expect(none?.state).toBe('not-observed');
    expect(none?.why).toMatch(/inputs do not tell whether it is produced.*Microsoft-Windows-Sysmon\/Operational 3 \(no event of that channel arrives at all/);

    const ev = result.evidence;
    expect(ev?.counts).toEqual({ observed: 1, 'observed-without-fields': 0, 'partly-observed': 1, silent: 1, 'observed-despite-config': 1, 'not-observed': 1 });
    expect(ev?.observedShare).toBe(20);
    expect(ev?.unmatched).toEqual([{ computer: 'LT-2207', events: 19 }]);
    expect(ev?.notes.join('\n')).toMatch(/1 computer\(s\) in the observations match no host input and are not used: LT-2207 \(19\)/);
    expect(ev?.hosts[0]).toMatchObject({ name: 'WS-0142', implied: false, first: '2026-11-01T00:00:00.000Z', last: '2026-11-15T00:00:00.000Z' });
    expect(ev?.hosts[0]?.window).toBeUndefined(); // 14 days: not a short window
    expect(ev?.logsources.find((l) => l.logsource === 'windows/service/security')).toMatchObject({
      rules: 4,
      observed: 1,
      'partly-observed': 1,
      silent: 1,
      'observed-despite-config': 1,
    });
    // Verdicts are untouched by evidence.
    expect(result.readiness?.verdicts).toMatchObject({ ready: 3, blocked: 1, unknown: 1 });
  });

  it('a host no observation names is not judged (nothing is called silent for an export that left it out)', async () => {
    const { result } = await runCheck([RULES], {
      environment: { gpresult: ['test/fixtures/environment/gpresult-dc-legacy-only.xml'] },
      observed: [`${FX}/splunk-stats-ws0142.csv`],
    });
    expect(result.evidence?.judged).toBe(0);
    expect(result.rules.every((r) => !r.evidence)).toBe(true);
    expect(result.evidence?.notes.join('\n')).toMatch(/no observation names this host; its rules are not judged/);
  });
});

describe('evidence alone (no host input)', () => {
  it('one implied host holds every count; states are observed, partly-observed or not-observed', async () => {
    const { result } = await runCheck([RULES], { observed: [`${FX}/hayabusa-eid-metrics.csv`] });
    expect(result.readiness).toBeUndefined();
    const r = byTitle(result.rules);
    expect(r.get('Successful Network Logon')?.evidence?.state).toBe('observed');
    expect(r.get('Network Logon Succeeded Or Failed')?.evidence?.state).toBe('observed'); // Hayabusa saw 4625 too
    expect(r.get('Member Added To A Security-Enabled Global Group')?.evidence).toMatchObject({
      state: 'not-observed',
      why: expect.stringMatching(/^not seen: Security 4728/),
    });
    expect(result.evidence?.hosts).toMatchObject([{ name: 'observed', implied: true }]);
    // No times in eid-metrics output: said once, as the window note.
    expect(result.evidence?.hosts[0]?.window).toMatch(/carry no times/);
    const states = new Set(result.rules.map((x) => x.evidence?.state));
    expect(states.has('silent') || states.has('observed-despite-config')).toBe(false);
  });

  it('a short window is said, with its span', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-window-'));
    const csv = join(dir, 'two-days.csv');
    writeFileSync(
      csv,
      'Computer,Channel,EventID,count_,min_TimeGenerated,max_TimeGenerated\nWS-0142,Security,4624,40,2026-11-10T08:00:00Z,2026-11-12T08:00:00Z\n',
    );
    const { result } = await runCheck([RULES], { observed: [csv] });
    expect(result.evidence?.hosts[0]?.window).toMatch(
      /the observations cover only 2\.0 days \(2026-11-10 08:00 → 2026-11-12 08:00 UTC\): events that occur weekly or less often may not be in them/,
    );
    expect(result.rules.find((x) => x.evidence?.state === 'not-observed')?.evidence?.why).toMatch(/cover only 2\.0 days/);
  });
});

describe('what a count can and cannot contradict', () => {
  const rule = (branches: string[][], events: { channel: string; eventIds: number[] }[]): EvidenceRule => ({
    kind: 'rule',
    windows: true,
    branches: [branches],
    branchEvents: [events],
    supplementaryBranches: [],
    supplementaryBranchEvents: [],
  });
  const host = (states: Record<string, string>, verdict: 'ready' | 'partial' | 'blocked' = 'blocked') => ({
    name: 'WS-0142',
    verdicts: [verdict],
    stateOf: (id: string) => (states[id] ? { state: states[id], reason: 'test' } : undefined),
  });
  const obs = (channel: string, eventId: number) => ({ sources: [], notes: [], errors: [], counts: [{ computer: 'WS-0142', channel, eventId, count: 5 }] });
  const P = 'audit:{0CCE922B-69AE-11D9-BED3-505054503030}';

  it('4688 seen with the command-line policy off is observed: an enricher adds a field, it produces nothing', () => {
    const r = rule([[`${P}:success`, 'policy:process-creation-command-line']], [{ channel: 'Security', eventIds: [4688] }]);
    const ev = assessEvidence([r], obs('Security', 4688), [host({ [`${P}:success`]: 'on', 'policy:process-creation-command-line': 'off' }, 'blocked')]);
    expect(ev.rules[0]?.[0]?.state).toBe('observed');
  });

  it('an event of both outcomes seen with one outcome off is no contradiction; with both off it is', () => {
    const L = 'audit:{0CCE9215-69AE-11D9-BED3-505054503030}';
    const r = rule([[`${L}:success`, `${L}:failure`]], [{ channel: 'Security', eventIds: [4648] }]);
    const one = assessEvidence([r], obs('Security', 4648), [host({ [`${L}:success`]: 'on', [`${L}:failure`]: 'off' })]);
    expect(one.rules[0]?.[0]?.state).toBe('observed');
    const both = assessEvidence([r], obs('Security', 4648), [host({ [`${L}:success`]: 'off', [`${L}:failure`]: 'off' })]);
    expect(both.rules[0]?.[0]?.state).toBe('observed-despite-config');
  });

  it('an object-access event seen without a global SACL is no contradiction (per-object SACLs are in no input)', () => {
    const R = 'audit:{0CCE921E-69AE-11D9-BED3-505054503030}';
    const r = rule([[`${R}:success`, 'sacl:registry']], [{ channel: 'Security', eventIds: [4657] }]);
    const ev = assessEvidence([r], obs('Security', 4657), [host({ [`${R}:success`]: 'on', 'sacl:registry': 'off' })]);
    expect(ev.rules[0]?.[0]?.state).toBe('observed');
  });

  it('a Sysmon type the config does not log, or a role the host lacks, is contradicted by its events', () => {
    const s = rule([['sysmon:3']], [{ channel: 'Microsoft-Windows-Sysmon/Operational', eventIds: [3] }]);
    expect(assessEvidence([s], obs('microsoft-windows-sysmon/operational', 3), [host({ 'sysmon:3': 'off' })]).rules[0]?.[0]?.state).toBe(
      'observed-despite-config',
    );
    const k = rule([['audit:{0CCE9240-69AE-11D9-BED3-505054503030}:success', 'role:domain-controller']], [{ channel: 'Security', eventIds: [4769] }]);
    expect(assessEvidence([k], obs('Security', 4769), [host({ 'role:domain-controller': 'off' })]).rules[0]?.[0]?.state).toBe('observed-despite-config');
    // Nothing seen for a rule the host's role never produces: not judged at all.
    expect(
      assessEvidence([k], obs('Security', 4624), [{ ...host({ 'role:domain-controller': 'off' }), verdicts: ['not-applicable' as const] }]).rules[0]?.[0],
    ).toBeUndefined();
  });

  it('computer names: FQDN, NetBIOS with $ and domain prefix are one computer; addresses stay whole', () => {
    expect(computerKey('ws-0142.corp.contoso.com')).toBe('WS-0142');
    expect(computerKey('CONTOSO\\WS-0142$')).toBe('WS-0142');
    expect(computerKey('WS-0142 (gpresult-2.xml)')).toBe('WS-0142');
    expect(computerKey('10.1.2.3')).toBe('10.1.2.3');
  });
});

describe('evidence over a fleet', () => {
  it('each rule counts hosts per state; hosts the observations do not name are not judged', async () => {
    const { result } = await runCheck([RULES], { environment: { gpresult: ['test/fixtures/environment'] }, observed: [`${FX}/splunk-stats-ws0142.csv`] });
    expect((result.readiness?.hosts.length ?? 0) > 1).toBe(true);
    const r = byTitle(result.rules).get('Successful Network Logon');
    expect(r?.evidence).toBeUndefined();
    expect(r?.evidenceStates?.observed).toBe(1);
    const judgedHosts = result.evidence?.hosts.filter((h) => h.judged > 0).map((h) => h.name);
    expect(judgedHosts).toEqual(['WS-0142']);
  });
});

describe('check --observed from the CLI', () => {
  const base = [RULES, '--gpresult', WS0142, '--observed', `${FX}/splunk-stats-ws0142.csv`];

  it('table: an Evidence section with states per log source; a bad observation file is one error line, the run goes on', () => {
    // COLUMNS unset: prose is not wrapped, so each line can be matched whole.
    const r = runCli([...base, '--observed', `${FX}/truncated.json`, '--observed', `${FX}/not-counts.csv`], { env: { COLUMNS: '' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^Evidence +20% of 5 judged Windows rules observed — observed 1 · without fields 0 · partly 1 · silent 1 · despite config 1 · not observed 1$/m,
    );
    expect(r.stdout).toMatch(/│ service: security +│ 4 +│ 1 +│ 0 +│ 1 +│ 1 +│ 1 +│ 0 +│/);
    expect(r.stdout).toMatch(/silent \(configured on, not seen\): 1 rule\(s\)/);
    expect(r.stdout).toMatch(/no event arrives from: Microsoft-Windows-Sysmon\/Operational \(1 unobserved rule\(s\)\)/);
    expect(r.stdout).toMatch(/test\/fixtures\/observed\/truncated\.json: not JSON/);
    expect(r.stdout).toMatch(/test\/fixtures\/observed\/not-counts\.csv: not an event-count CSV/);
  });

  it('a missing --observed path is a usage error (exit 2, one line)', () => {
    const r = runCli([...base, '--observed', 'no/such/dir']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no such file or directory: no\/such\/dir/);
  });

  it('JSON, Markdown, HTML and SARIF carry the evidence', () => {
    const j = JSON.parse(runCli([...base, '--format', 'json']).stdout);
    expect(j.evidence.counts.silent).toBe(1);
    expect(j.rules.find((x: RuleRow) => x.title === 'Successful Network Logon').evidence.state).toBe('observed');
    const md = runCli([...base, '--format', 'markdown']).stdout;
    expect(md).toMatch(/## Evidence\n\n\*\*20% of 5 judged Windows rules observed/);
    expect(md).toMatch(/\| service: security \| 4 \| 1 \| 0 \| 1 \| 1 \| 1 \| 0 \|/);
    const html = runCli([...base, '--format', 'html']).stdout;
    expect(html).toMatch(/<section id="evidence"><h2>Evidence: what actually arrives<\/h2>/);
    expect(html).toMatch(/Silent: configured on, not seen \(1\)/);
    const sarif = JSON.parse(runCli([...base, '--format', 'sarif']).stdout);
    const run = sarif.runs[0];
    expect(run.tool.driver.rules.map((x: { id: string }) => x.id)).toEqual(expect.arrayContaining(['logsource/silent', 'logsource/observed-despite-config']));
    const notes = run.results.filter((x: { ruleId: string }) => x.ruleId === 'logsource/silent');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({
      level: 'note',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'test/fixtures/observed/rules/group_member_added.yml' }, region: { startLine: 7 } } }],
    });
    expect(notes[0].message.text).toMatch(/Member Added To A Security-Enabled Global Group: configured on but not seen\. configured on \(verdict ready\)/);
  });

  it('without --observed nothing changes: no evidence anywhere', () => {
    const j = JSON.parse(runCli([RULES, '--gpresult', WS0142, '--format', 'json']).stdout);
    expect(j.evidence).toBeUndefined();
    expect(j.rules.some((x: RuleRow) => x.evidence || x.evidenceStates)).toBe(false);
    expect(runCli([RULES, '--gpresult', WS0142]).stdout).not.toMatch(/^Evidence/m);
  });
});
