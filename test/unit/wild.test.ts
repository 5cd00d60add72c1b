/**
 * Rules in the wild (test/fixtures/wild, one hand-written rule per pattern seen in public rule repositories):
 * each is read as PyYAML / pySigma would and resolved, with a note saying how.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers.js';

interface Row {
  path: string;
  logsourceKey: string;
  alternatives: string[][];
  supplementary: string[][];
  unknownReason?: string;
  inferredFrom?: string;
  notes: string[];
  kind: string;
  references?: string[];
}
const run = (extra: string[] = []) => {
  const r = runCli(['test/fixtures/wild', ...extra, '--format', 'json']);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { rules: Row[]; notes: { path: string; message: string }[]; errors: unknown[] };
};
const j = run();
const rule = (file: string) => j.rules.find((r) => r.path.endsWith(`/${file}`)) as Row;
const PROC = 'audit:{0CCE922B-69AE-11D9-BED3-505054503030}:success';

describe('a tolerant loader, as PyYAML reads rules', () => {
  it('duplicate keys: the last value wins, with a note naming the key and line', () => {
    expect(j.errors).toEqual([]);
    const r = rule('dup-keys.yml');
    expect(r.notes).toContain('duplicate key CommandLine|contains at line 11: the earlier value is ignored, as PyYAML does');
    expect(r.alternatives).toEqual([['sysmon:1'], [PROC, 'policy:process-creation-command-line']]);
  });
  it('multi-line quoted values with under-indented continuation lines load, with a note', () => {
    expect(rule('lenient-quote.yml').notes[0]).toMatch(
      /multi-line quoted value with continuation lines no deeper than its key \(line 5, 15\): read as PyYAML reads it/,
    );
  });
  it('YAML that is not a Sigma rule is a note, not an error; legacy action: correlation is a correlation', () => {
    expect(j.notes).toContainEqual({
      path: 'test/fixtures/wild/github-workflow.yml',
      message: 'YAML document is not a Sigma rule (no detection or logsource); skipped',
    });
    const c = rule('legacy-correlation.yml');
    expect(c.kind).toBe('correlation');
    expect(j.notes.some((n) => n.path.endsWith('legacy-correlation.yml') && /pre-v2 correlation draft/.test(n.message))).toBe(true);
  });
});

describe('log-source normalisation and inference', () => {
  it('a list or comma-separated names are alternatives', () => {
    expect(rule('category-list.yml')).toMatchObject({
      logsourceKey: 'windows/category/ps_module + windows/category/ps_script',
      alternatives: [['policy:powershell-module-logging'], ['policy:powershell-script-block-logging']],
      inferredFrom: 'list of log sources',
    });
    expect(rule('category-comma.yml').logsourceKey).toBe('windows/category/registry_set + windows/category/process_creation');
    // each service reads only its own events: 7045 from System (logged by default), 4697 from Security
    const svc = rule('service-list.yml');
    expect(svc.logsourceKey).toBe('windows/service/system + windows/service/security');
    expect(svc.alternatives).toEqual([[]]);
  });
  it('the detection names the source: EventID, Provider_Name / Provider, fields only one event has', () => {
    expect(rule('eventid-only.yml')).toMatchObject({
      logsourceKey: 'windows/service/powershell',
      inferredFrom: 'EventID',
      alternatives: [['policy:powershell-module-logging', 'policy:powershell-script-block-logging']],
    });
    expect(rule('provider-scm.yml')).toMatchObject({ logsourceKey: 'windows/service/system', inferredFrom: 'Provider_Name', alternatives: [[]] });
    expect(rule('provider-sysmon.yml')).toMatchObject({
      logsourceKey: 'windows/category/driver_load',
      inferredFrom: 'Provider_Name',
      alternatives: [['sysmon:6']],
    });
    expect(rule('fault-1000.yml')).toMatchObject({ logsourceKey: 'windows/service/application', inferredFrom: 'fields' });
    expect(rule('fault-1000.yml').notes.join()).toMatch(/inferred from the fields it reads \(FaultingApplicationName/);
  });
  it('names in the wrong field or outside the taxonomy', () => {
    expect(rule('channel-as-service.yml')).toMatchObject({
      logsourceKey: 'windows/service/bits-client',
      inferredFrom: 'service microsoft-windows-bits-client/operational is the channel of service bits-client',
    });
    expect(rule('category-as-service.yml')).toMatchObject({ logsourceKey: 'windows/category/dns_query', alternatives: [['sysmon:22']] });
    expect(rule('alias-file-creation.yml')).toMatchObject({ logsourceKey: 'windows/category/file_event', alternatives: [['sysmon:11']] });
    expect(rule('alias-bits.yml').logsourceKey).toBe('windows/service/bits-client');
    expect(rule('antivirus-windefend.yml').logsourceKey).toBe('windows/service/windefend');
    expect(rule('alias-file-creation.yml').notes.join()).toMatch(
      /alias category file_creation → windows\/category\/file_event \(file_creation names Sysmon EID 11/,
    );
  });
  it('a category with an EventID of another source reads the source that writes it', () => {
    expect(rule('network-5156.yml')).toMatchObject({
      logsourceKey: 'windows/service/security',
      alternatives: [['audit:{0CCE9226-69AE-11D9-BED3-505054503030}:success']],
    });
    expect(rule('network-5156.yml').notes.join()).toMatch(/windows\/category\/network_connection does not produce EventID 5156/);
    expect(rule('wmi-5861.yml')).toMatchObject({ logsourceKey: 'windows/service/wmi', alternatives: [[]] });
  });
  it('a service rule without EventID needs the events its fields belong to, never "nothing"', () => {
    expect(rule('powershell-no-eventid.yml')).toMatchObject({ alternatives: [['policy:powershell-script-block-logging']], inferredFrom: 'fields → EventID' });
    expect(rule('sysmon-no-eventid.yml')).toMatchObject({ alternatives: [['sysmon:1']], inferredFrom: 'fields → EventID' });
  });
});

describe("the user's own mappings", () => {
  it('--pipeline: a pySigma pipeline maps a custom log source to its channel; other transformations are notes', () => {
    expect(rule('custom-logsource.yml').unknownReason).toMatch(/category "contoso_app_auth" is not in the catalog/);
    const p = run(['--pipeline', 'examples/mappings/pipeline.yml']);
    const r = p.rules.find((x) => x.path.endsWith('custom-logsource.yml')) as Row;
    expect(r).toMatchObject({ logsourceKey: 'windows/category/contoso_app_auth', alternatives: [['channel:Contoso-App/Authentication']] });
    expect(p.notes).toContainEqual({
      path: 'examples/mappings/pipeline.yml',
      message: 'transformations[2] (contoso_field_names): type field_name_mapping changes queries, not what is logged; not used',
    });
  });
  it('--mapping: entries in the catalog schema', () => {
    const m = run(['--mapping', 'examples/mappings/mapping.yaml']);
    expect(m.rules.find((x) => x.path.endsWith('custom-logsource.yml'))).toMatchObject({ alternatives: [['channel:Contoso-App/Authentication']] });
  });
  it('a bad mapping or pipeline is one line naming the file and the key, exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-map-'));
    writeFileSync(
      join(dir, 'bad.yaml'),
      'logsources:\n  - product: windows\n    category: x\n    title: X\n    source: me\n    sources:\n      - name: y\n        channel: Y\n',
    );
    const bad = runCli(['test/fixtures/wild', '--mapping', join(dir, 'bad.yaml')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/bad.yaml: logsources\[0\] \(x\)\.sources\[0\] lacks "producer"/);
    writeFileSync(
      join(dir, 'p.yml'),
      'transformations:\n  - id: nowhere\n    type: add_condition\n    conditions: { Foo: bar }\n    rule_conditions: [{ type: logsource, category: x }]\n',
    );
    const badp = runCli(['test/fixtures/wild', '--pipeline', join(dir, 'p.yml')]);
    expect(badp.status).toBe(2);
    expect(badp.stderr).toMatch(/p.yml: transformations\[0\] \(nowhere\): conditions: no Channel, Provider_Name or known EventID/);
  });
});
