import { describe, expect, it } from 'vitest';
import { rankFixes } from '../../src/assess/rank.js';
import { assessRule, type RequirementState } from '../../src/assess/verdict.js';

const states =
  (m: Record<string, RequirementState['state']>) =>
  (id: string): RequirementState => ({ state: m[id] ?? 'unknown', reason: m[id] ? 'test' : 'not in the inputs' });

/** One alternative per list; each inner list is one event branch (what that event needs). */
const alts = (...a: string[][][]) => a.map((branches) => ({ branches }));

describe('verdicts', () => {
  // Process creation: Sysmon 1, or 4688 with the command-line enricher (the rule reads CommandLine).
  const pc = alts([['sysmon:1']], [['audit:P:success', 'policy:cmd']]);
  // A logon rule reading 4624 (Success) and 4625 (Failure): two events, two branches.
  const logon = alts([['audit:L:success'], ['audit:L:failure']]);
  it('ready when every event branch of one alternative is produced, or nothing is needed', () => {
    expect(assessRule(pc, [], states({ 'audit:P:success': 'on', 'policy:cmd': 'on' })).verdict).toBe('ready');
    expect(assessRule(alts([[]]), [], states({})).verdict).toBe('ready');
    expect(assessRule(logon, [], states({ 'audit:L:success': 'on', 'audit:L:failure': 'on' })).verdict).toBe('ready');
  });
  it('partial means some events are produced with their fields (4624 on, 4625 off), never "some settings on"', () => {
    const a = assessRule(logon, [], states({ 'audit:L:success': 'on', 'audit:L:failure': 'off' }));
    expect(a).toMatchObject({ verdict: 'partial', missing: ['audit:L:failure'] });
    expect(a.why).toMatch(/1 of the 2 events/);
    // Process Creation off, command line on: the enricher produces nothing by itself.
    expect(assessRule(pc, [], states({ 'sysmon:1': 'off', 'audit:P:success': 'off', 'policy:cmd': 'on' })).verdict).toBe('blocked');
    // Process Creation on, command line off: a rule reading CommandLine cannot match in 4688.
    expect(assessRule(pc, [], states({ 'sysmon:1': 'off', 'audit:P:success': 'on', 'policy:cmd': 'off' }))).toMatchObject({
      verdict: 'blocked',
      missing: ['sysmon:1'],
    });
    // ... or ready through Sysmon.
    expect(assessRule(pc, [], states({ 'sysmon:1': 'on', 'audit:P:success': 'on', 'policy:cmd': 'off' })).verdict).toBe('ready');
  });
  it('partial when only a supplementary source (PowerShell 7) is on', () => {
    const a = assessRule(alts([['policy:ps5']]), alts([['policy:ps7']]), states({ 'policy:ps5': 'off', 'policy:ps7': 'on' }));
    expect(a.verdict).toBe('partial');
    expect(a.why).toMatch(/only a source that covers part of what it reads is logged: policy:ps7/);
  });
  it('blocked when no event can be produced, unknown when the inputs leave one open, with its cause', () => {
    expect(assessRule(pc, [], states({ 'sysmon:1': 'off', 'audit:P:success': 'off', 'policy:cmd': 'off' })).verdict).toBe('blocked');
    const u = assessRule(pc, [], states({ 'audit:P:success': 'off', 'policy:cmd': 'off' }));
    expect(u).toMatchObject({ verdict: 'unknown', cause: 'no Sysmon input' });
    expect(u.why).toMatch(/sysmon:1 \(not in the inputs\)/);
    // a branch with one requirement off is off whatever else it needs
    expect(assessRule(alts([['sysmon:1', 'channel:x']]), [], states({ 'sysmon:1': 'off' })).verdict).toBe('blocked');
  });
  it('an object-access event with Audit Registry on but an unknown SACL is never ready', () => {
    const reg = alts([['audit:R:success', 'sacl:registry']]);
    expect(assessRule(reg, [], states({ 'audit:R:success': 'on' }))).toMatchObject({ verdict: 'unknown', cause: 'object SACLs not visible' });
    expect(assessRule(reg, [], states({ 'audit:R:success': 'on', 'sacl:registry': 'on' })).verdict).toBe('ready');
    expect(assessRule(reg, [], states({ 'audit:R:success': 'on', 'sacl:registry': 'off' })).verdict).toBe('blocked');
  });
  it('role-bound events: not-applicable off the role, assessed on it, unknown when the role is not known', () => {
    const kerberos = alts([['audit:K:success', 'role:domain-controller']]);
    expect(assessRule(kerberos, [], states({ 'audit:K:success': 'off', 'role:domain-controller': 'off' })).verdict).toBe('not-applicable');
    expect(assessRule(kerberos, [], states({ 'audit:K:success': 'off', 'role:domain-controller': 'on' })).verdict).toBe('blocked');
    expect(assessRule(kerberos, [], states({ 'audit:K:success': 'on' }))).toMatchObject({ verdict: 'unknown', cause: 'host role not known' });
    // a rule reading a DC-only event and an everywhere event: on a workstation only the second can occur
    const mixed = alts([['audit:K:success', 'role:domain-controller'], ['audit:L:success']]);
    const ws = assessRule(mixed, [], states({ 'audit:K:success': 'off', 'role:domain-controller': 'off', 'audit:L:success': 'on' }));
    expect(ws.verdict).toBe('ready');
    expect(ws.why).toMatch(/other roles/);
  });
});

describe('greedy ranking', () => {
  it('ranks by rules unlocked, each step given the previous ones, with multi-setting changes', () => {
    const fixes = rankFixes([
      { id: 1, weight: 1, missing: [['sysmon:1'], ['policy:cmd']] },
      { id: 2, weight: 1, missing: [['sysmon:1'], ['policy:cmd']] },
      { id: 3, weight: 1, missing: [['sysmon:1']] },
      { id: 4, weight: 1, missing: [['audit:A', 'audit:B']] },
      { id: 5, weight: 1, missing: [['audit:A']] },
      { id: 6, weight: 1, missing: [['audit:A', 'audit:B']] },
    ]);
    expect(fixes.map((f) => [f.requires, f.unlocks])).toEqual([
      [['sysmon:1'], 3], // ties with A+B at 3 rules: the smaller change first
      [['audit:A', 'audit:B'], 3], // A alone would unlock only rule 5
    ]);
    expect(fixes[1]!.items.sort()).toEqual([4, 5, 6]);
  });
  it('does not bundle unrelated settings because together they unlock more', () => {
    const fixes = rankFixes([
      { id: 1, weight: 50, missing: [['reg']] },
      { id: 2, weight: 1, missing: [['reg', 'share']] },
    ]);
    expect(fixes.map((f) => [f.requires, f.unlocks])).toEqual([
      [['reg'], 50],
      [['share'], 1],
    ]);
  });

  it('weights count rule × host units and ties prefer the smaller change', () => {
    const fixes = rankFixes([
      { id: 1, weight: 10, missing: [['x']] },
      { id: 2, weight: 3, missing: [['y', 'z']] },
      { id: 3, weight: 3, missing: [['y']] },
    ]);
    // y alone completes rule 3; z then completes rule 2: two changes, never one bundle counted as six
    expect(fixes.map((f) => [f.requires, f.unlocks])).toEqual([
      [['x'], 10],
      [['y'], 3],
      [['z'], 3],
    ]);
    expect(
      rankFixes([
        { id: 1, weight: 1, missing: [['b']] },
        { id: 2, weight: 1, missing: [['a']] },
      ])[0]!.requires,
    ).toEqual(['a']);
  });
});
