/**
 * WEF subscriptions that filter on Provider and Level (palantir's, real files): an event the rule reads with the
 * provider the subscription names, at the level real captures show it is written with, is fully forwarded.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forwardState, type ForwardedSet } from '../../src/environment/forwarded.js';
import { readQueryList } from '../../src/environment/querylist.js';
import { CORPUS, corpusOrSkip, ROOT, runCli } from '../helpers.js';

const set = (xpath: string, channel = 'System'): ForwardedSet => {
  const s: ForwardedSet = new Map();
  readQueryList(`<QueryList><Query Id="0"><Select Path="${channel}">${xpath}</Select></Query></QueryList>`, 't', s);
  return s;
};
const facts = (providers: Record<number, string[]>, level: number | undefined) => ({ providers: (id: number) => providers[id] ?? [], level: () => level });
const SCM = "*[System[Provider[@Name='Service Control Manager'] and (Level=1 or Level=2 or Level=3 or Level=4 or Level=0) and (EventID=7045 or EventID=7040)]]";

describe('Provider and Level filters of a query', () => {
  it('sure when the rule names the provider and the level is known and listed', () => {
    expect(forwardState(set(SCM), 'System', [7045], facts({ 7045: ['Service Control Manager'] }, 4)).state).toBe('yes');
  });
  it('partial when the rule names no provider, another provider, or the level is unknown or not listed', () => {
    expect(forwardState(set(SCM), 'System', [7045], facts({}, 4)).state).toBe('partial');
    expect(forwardState(set(SCM), 'System', [7045], facts({ 7045: ['Other'] }, 4)).state).toBe('partial');
    expect(forwardState(set(SCM), 'System', [7045], facts({ 7045: ['Service Control Manager'] }, undefined)).state).toBe('partial');
    expect(forwardState(set(SCM.replace(/Level=4 or /, '')), 'System', [7045], facts({ 7045: ['Service Control Manager'] }, 4)).state).toBe('partial');
    expect(forwardState(set(SCM), 'System', [7045]).state).toBe('partial');
  });
  it('IDs outside the EventID terms are not forwarded; a Suppress takes the condition back', () => {
    expect(forwardState(set(SCM), 'System', [7036], facts({ 7036: ['Service Control Manager'] }, 4)).state).toBe('no');
    const s: ForwardedSet = new Map();
    readQueryList(
      `<QueryList><Query Id="0"><Select Path="System">${SCM}</Select><Suppress Path="System">*[System[EventID=7045]]</Suppress></Query></QueryList>`,
      't',
      s,
    );
    expect(forwardState(s, 'System', [7045], facts({ 7045: ['Service Control Manager'] }, 4)).state).toBe('no');
  });
  it('a condition joined with another filter by and is not trusted (EventData decides)', () => {
    const x = "*[System[Provider[@Name='Service Control Manager'] and Level=4 and EventID=7045]] and *[EventData[Data[@Name='ServiceName']='x']]";
    expect(forwardState(set(x), 'System', [7045], facts({ 7045: ['Service Control Manager'] }, 4)).state).toBe('partial');
  });
});

describe("palantir's subscriptions with SigmaHQ rules on 104, 1102 and 7045", () => {
  it.runIf(corpusOrSkip('palantir WEF verdicts'))('the rules are ready: the subscriptions forward their events (provider and level)', () => {
    const b = join(CORPUS, 'sigmahq/rules/windows/builtin');
    const rules = [
      'system/microsoft_windows_eventlog/win_system_eventlog_cleared.yml',
      'security/win_security_audit_log_cleared.yml',
      'system/service_control_manager/win_system_service_install_anydesk.yml',
    ].map((f) => join(b, f));
    const run = runCli([
      'check',
      ...rules,
      '--auditpol',
      join(ROOT, 'examples/hosts/WS-0142/auditpol.csv'),
      '--collector',
      join(ROOT, 'test/fixtures/collectors/palantir'),
      '-f',
      'json',
    ]);
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout) as { rules: { path: string; verdict: string; forwarding?: string[] }[] };
    for (const r of out.rules) {
      expect(r.verdict, r.path).toBe('ready');
      expect(r.forwarding).toBeUndefined();
    }
    // Without the Service Control Manager subscription, 7045 is not forwarded at all.
    const without = runCli([
      'check',
      rules[2]!,
      '--auditpol',
      join(ROOT, 'examples/hosts/WS-0142/auditpol.csv'),
      '--collector',
      join(ROOT, 'test/fixtures/collectors/palantir/Log-Deletion-System.xml'),
      '-f',
      'json',
    ]);
    expect((JSON.parse(without.stdout) as { rules: { verdict: string }[] }).rules[0]?.verdict).toBe('blocked');
  });
});
