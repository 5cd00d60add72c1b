import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers.js';

const HOST = 'examples/hosts/ws-0142-gpresult.xml';
const out = (args: string[]) => {
  const r = runCli(args);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

describe('SARIF 2.1.0', () => {
  // The SARIF schema is not shipped (its licence is not ours to redistribute); the structure GitHub code
  // scanning reads is asserted field by field.
  // --role dc: the Kerberos rule is assessed (off a DC it is not applicable and never a SARIF result)
  const sarif = out(['examples/rules', '--gpresult', HOST, '--role', 'dc', '--format', 'sarif']);
  it('has the required top-level shape', () => {
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.$schema).toMatch(/sarif-2\.1\.0/);
    expect(sarif.runs).toHaveLength(1);
    const driver = sarif.runs[0].tool.driver;
    expect(driver.name).toBe('logsource-check');
    expect(driver.rules.map((r: { id: string }) => r.id)).toEqual(['logsource/blocked', 'logsource/partial', 'logsource/unknown']);
    for (const r of driver.rules) {
      expect(r.shortDescription.text).toBeTruthy();
      expect(['error', 'warning', 'note']).toContain(r.defaultConfiguration.level);
    }
  });
  it('one result per rule that is not ready, at the logsource: line, with missing settings and fixes', () => {
    const results = sarif.runs[0].results;
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) {
      expect(r.ruleId).toMatch(/^logsource\/(blocked|partial|unknown)$/);
      expect(['error', 'warning', 'note']).toContain(r.level);
      expect(r.message.text.length).toBeGreaterThan(10);
      const loc = r.locations[0].physicalLocation;
      expect(loc.artifactLocation.uri).toMatch(/^examples\/rules\/windows\/.*\.ya?ml$/);
      expect(Number.isInteger(loc.region.startLine) && loc.region.startLine >= 1).toBe(true);
    }
    const kerberos = results.find((r: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
      r.locations[0]!.physicalLocation.artifactLocation.uri.endsWith('security_kerberoasting_rc4.yml'),
    );
    expect(kerberos).toMatchObject({ ruleId: 'logsource/blocked', level: 'error' });
    expect(kerberos.locations[0].physicalLocation.region.startLine).toBe(10);
    expect(kerberos.message.text).toMatch(
      /Missing: Audit Kerberos Service Ticket Operations — Failure, Audit Kerberos Service Ticket Operations — Success\. .*Fix: .*auditpol \/set \/subcategory:\{0CCE9240-69AE-11D9-BED3-505054503030\}/,
    );
    // ready rules are not results
    expect(results.some((r: { message: { text: string } }) => r.message.text.startsWith('Failed And Successful Network Logons'))).toBe(false);
  });
});

describe('SARIF over a fleet', () => {
  it('a directory of hosts: one result per rule not ready on some host, with the per-host counts', () => {
    const fleet = out(['examples/rules', '--gpresult', 'test/fixtures/environment', '--format', 'sarif']);
    const results = fleet.runs[0].results as { ruleId: string; message: { text: string } }[];
    expect(results.length).toBeGreaterThan(3);
    expect(results.some((r) => r.ruleId === 'logsource/blocked')).toBe(true);
    expect(results[0]!.message.text).toMatch(/On \d+ hosts: ready \d+, partial \d+, blocked \d+, unknown \d+, not applicable \d+/);
  });
});

describe('ATT&CK Navigator layer 4.5', () => {
  it('scores techniques by ready rules, with colours and a legend', () => {
    const layer = out(['examples/rules', '--gpresult', HOST, '--format', 'navigator']);
    expect(layer.versions).toMatchObject({ navigator: '4.5', layer: '4.5' });
    expect(layer.domain).toBe('enterprise-attack');
    expect(layer.gradient).toMatchObject({ minValue: 0, maxValue: 100 });
    expect(layer.gradient.colors).toHaveLength(3);
    expect(layer.legendItems).toHaveLength(3);
    const t = (id: string) => layer.techniques.find((x: { techniqueID: string }) => x.techniqueID === id);
    expect(t('T1558.003')).toMatchObject({ score: 0, comment: '0 of 1 rules ready' }); // Kerberoasting: blocked
    expect(t('T1110.001')).toMatchObject({ score: 100 }); // logons: ready
    for (const x of layer.techniques) expect(x.techniqueID).toMatch(/^T\d{4}(\.\d{3})?$/);
  });
});
