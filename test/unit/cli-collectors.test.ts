import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers.js';

const FX = 'test/fixtures/collectors';
const HOST = 'test/fixtures/environment/gpresult-utf16le-multi-gpo.xml';

describe('collection layer from the CLI', () => {
  it('a rule whose events are produced but not forwarded says so', () => {
    const r = runCli(['examples/rules', '--gpresult', HOST, '--collector', `${FX}/wef-account-logons.xml`, '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    const rule = (t: string) => j.rules.find((x: { title: string }) => x.title.startsWith(t));
    // 4624 + 4625 audited and forwarded by the subscription
    expect(rule('Failed And Successful').verdict).toBe('ready');
    // 4688 audited with command line, but no query forwards it: produced is not shipped, so the 4688 way is
    // closed and only Sysmon (no input) is left
    expect(rule('Certutil')).toMatchObject({ verdict: 'unknown', forwarding: [expect.stringMatching(/Security 4688 not in any forwarded query/)] });
    // System 7045 is logged by default, but System is not forwarded
    expect(rule('Service Installed From A Temp Folder')).toMatchObject({ missing: ['forward:System'] });
    const security = j.readiness.channels.find((c: { channel: string }) => c.channel === 'Security');
    expect(security.missing).toEqual(expect.arrayContaining([1102, 4688]));
    const fix = j.readiness.recommendations.find((x: { requires: { id: string }[] }) => x.requires.some((q) => q.id === 'forward:System'));
    expect(fix.requires[0].enable).toMatch(/collector-config/);
    const table = runCli(['examples/rules', '--gpresult', HOST, '--collector', `${FX}/wef-account-logons.xml`]).stdout;
    expect(table).toMatch(/Forwarding/);
  });

  it('several collectors together form the forwarded set; formats are detected or given', () => {
    const j = JSON.parse(runCli(['examples/rules', '--collector', `${FX}/nxlog.conf`, '--collector', `${FX}/winlogbeat.yml`, '--format', 'json']).stdout);
    const system = j.readiness.channels.find((c: { channel: string }) => c.channel === 'System');
    expect(system.forwarded).toBe('all'); // winlogbeat forwards all of System, nxlog 7040/7045
    const dir = mkdtempSync(join(tmpdir(), 'lsc-col-'));
    writeFileSync(join(dir, 'view.txt'), '<QueryList><Query Id="0" Path="System"><Select>*</Select></Query></QueryList>');
    const forced = runCli(['examples/rules', '--collector', join(dir, 'view.txt'), '--collector-format', 'querylist', '--format', 'json']);
    expect(forced.status, forced.stderr).toBe(0);
  });

  it('a collector file that cannot be read is one clear line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-col2-'));
    writeFileSync(join(dir, 'bad.xml'), '<QueryList><Query Id="0" Path="Security"><Select>*[System[(EventID=]]</Select></Query></QueryList>');
    writeFileSync(join(dir, 'what.xml'), '<Something/>');
    const r = runCli(['examples/rules', '--collector', join(dir, 'bad.xml'), '--collector', join(dir, 'what.xml')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad.xml: querylist: XPath/);
    expect(r.stderr).toMatch(/what.xml: not a collector configuration/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('collector-config for the examples, each format re-read', () => {
    for (const format of ['wef', 'nxlog', 'winlogbeat', 'querylist']) {
      const r = runCli(['collector-config', 'examples/rules', '--format', format]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/re-read: forwards exactly what the rules need/);
    }
    const wef = runCli(['collector-config', 'examples/rules', '--format', 'wef']).stdout;
    expect(wef).toContain(
      '<Select Path="Security">*[System[(EventID=1102 or EventID=4624 or EventID=4625 or EventID=4657 or EventID=4663 or EventID=4688 or EventID=4769)]]</Select>',
    );
    expect(runCli(['collector-config', 'examples/rules']).status).toBe(2); // --format is required
  });
});
