import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'lsc-sysmon-'));
const write = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const psOnly = write(
  'ps-only.xml',
  '<Sysmon schemaversion="4.50">\n  <EventFiltering>\n    <RuleGroup name="g" groupRelation="or">\n      <ProcessCreate onmatch="include">\n        <Image condition="end with">\\powershell.exe</Image>\n      </ProcessCreate>\n    </RuleGroup>\n  </EventFiltering>\n</Sysmon>\n',
);

describe('Sysmon from the CLI', () => {
  it('check --sysmon: per-rule simulation in the verdicts and a Sysmon section', () => {
    const r = runCli(['examples/rules', '--sysmon', psOnly, '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    const certutil = j.rules.find((x: { title: string }) => x.title.startsWith('Certutil'));
    // The Image branch (\certutil.exe) is dropped; the OriginalFileName branch is logged only when the renamed
    // binary happens to be called powershell.exe: partial, with both reasons.
    expect(certutil.sysmon).toEqual([
      {
        eventId: 1,
        result: 'partial',
        reasons: [expect.stringMatching(/no include filter matches/), expect.stringMatching(/include filters on Image, which the rule does not test/)],
      },
    ]);
    expect(certutil.verdict).toBe('partial');
    const hash = j.rules.find((x: { title: string }) => x.title.startsWith('Known Tool'));
    expect(hash.sysmon[0].result).toBe('partial'); // Hashes only: the Image include logs some of it
    expect(j.requirements.find((q: { id: string }) => q.id === 'sysmon:1').state).toBe('filtered');
    expect(j.requirements.find((q: { id: string }) => q.id === 'sysmon:22').state).toBe('off');
    const table = runCli(['examples/rules', '--sysmon', psOnly]).stdout;
    expect(table).toMatch(/Sysmon .*ps-only.xml \(schema 4.50\)/);
    expect(table).toMatch(/│ 1\s+│ ProcessCreate\s+│ filtered/);
  });

  it('a config Sysmon would reject: one clear line, exit 2 when it is the only input', () => {
    const bad = write(
      'bad.xml',
      '<Sysmon schemaversion="4.50">\n<EventFiltering>\n<ProcessCreate onmatch="include">\n<Image condition="sounds like">x</Image>\n</ProcessCreate>\n</EventFiltering>\n</Sysmon>\n',
    );
    const r = runCli(['examples/rules', '--sysmon', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad.xml: unknown condition "sounds like" on Image at line 4/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('sysmon-config: minimal to stdout, targeted to a file, both re-parsed', () => {
    const m = runCli(['sysmon-config', 'examples/rules']);
    expect(m.status, m.stderr).toBe(0);
    expect(m.stdout).toMatch(/^<Sysmon schemaversion="4.21">/);
    expect(m.stdout).toContain('<ProcessCreate onmatch="exclude"/>');
    expect(m.stderr).toMatch(/re-parsed: 5 rule × event type pairs logged, 0 partial, 0 dropped/);
    const out = join(dir, 'targeted.xml');
    const t = runCli(['sysmon-config', 'examples/rules', '--mode', 'targeted', '-o', out]);
    expect(t.status, t.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('<QueryName name="T1572" condition="end with">.trycloudflare.com</QueryName>');
    expect(t.stderr).toMatch(/re-parsed: 5 rule × event type pairs logged, 0 partial, 0 dropped/);
  });

  it('sysmon-config --base keeps the base and adds what is missing; --for-rule prints snippets', () => {
    const r = runCli(['sysmon-config', 'examples/rules', '--base', psOnly]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.startsWith('<Sysmon schemaversion="4.50">\n  <EventFiltering>\n    <RuleGroup name="g" groupRelation="or">')).toBe(true);
    expect(r.stderr).toMatch(/added: ProcessCreate .*include condition/);
    const s = runCli(['sysmon-config', 'examples/rules', '--for-rule']);
    expect(s.stdout).toContain('<!-- examples/rules/windows/dns_query_tunnel_domain.yml: DNS Query For A Known Tunnelling Service -->');
  });

  it('sysmon-config refuses what it cannot do', () => {
    expect(runCli(['sysmon-config', 'examples/rules', '--schema', '3.30']).stderr).toMatch(/--schema 3.30 predates/);
    expect(runCli(['sysmon-config', 'examples/rules', '--schema', 'new']).status).toBe(2);
    expect(runCli(['sysmon-config', 'examples/rules/windows/security_kerberoasting_rc4.yml']).stderr).toMatch(/no rule in the set needs a Sysmon event type/);
    expect(runCli(['sysmon-config', 'examples/rules', '--base', join(dir, 'missing.xml')]).stderr).toMatch(/cannot read .*missing.xml: ENOENT/);
  });
});
