import { describe, expect, it } from 'vitest';
import { rankFixes } from '../../src/assess/rank.js';
import { assessRule, type RequirementState } from '../../src/assess/verdict.js';

const states = (m: Record<string, RequirementState['state']>) => (id: string): RequirementState => ({ state: m[id] ?? 'unknown', reason: m[id] ? 'test' : 'not in the inputs' });

describe('verdicts', () => {
  const pc = [['sysmon:1'], ['audit:P:success', 'policy:cmd']];
  it('ready when one alternative is fully on, or nothing is needed', () => {
    expect(assessRule(pc, [], states({ 'audit:P:success': 'on', 'policy:cmd': 'on' })).verdict).toBe('ready');
    expect(assessRule([[]], [], states({})).verdict).toBe('ready');
  });
  it('partial when part of an alternative is on; missing names the closest alternative', () => {
    const a = assessRule(pc, [], states({ 'sysmon:1': 'off', 'audit:P:success': 'on', 'policy:cmd': 'off' }));
    expect(a).toMatchObject({ verdict: 'partial', missing: ['sysmon:1'] });
    const logon = assessRule([['audit:L:success', 'audit:L:failure']], [], states({ 'audit:L:success': 'on', 'audit:L:failure': 'off' }));
    expect(logon).toMatchObject({ verdict: 'partial', missing: ['audit:L:failure'] });
  });
  it('partial when only a supplementary source (PowerShell 7) is on', () => {
    const a = assessRule([['policy:ps5']], [['policy:ps7']], states({ 'policy:ps5': 'off', 'policy:ps7': 'on' }));
    expect(a.verdict).toBe('partial');
    expect(a.why).toMatch(/supplementary/);
  });
  it('blocked when everything is known off, unknown when the inputs do not say', () => {
    expect(assessRule(pc, [], states({ 'sysmon:1': 'off', 'audit:P:success': 'off', 'policy:cmd': 'off' })).verdict).toBe('blocked');
    const u = assessRule(pc, [], states({ 'audit:P:success': 'off', 'policy:cmd': 'off' }));
    expect(u.verdict).toBe('unknown');
    expect(u.why).toMatch(/sysmon:1 \(not in the inputs\)/);
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
    expect(fixes.map((f) => [f.requires, f.unlocks])).toEqual([[['reg'], 50], [['share'], 1]]);
  });

  it('weights count rule × host units and ties prefer the smaller change', () => {
    const fixes = rankFixes([
      { id: 1, weight: 10, missing: [['x']] },
      { id: 2, weight: 3, missing: [['y', 'z']] },
      { id: 3, weight: 3, missing: [['y']] },
    ]);
    // y alone completes rule 3; z then completes rule 2: two changes, never one bundle counted as six
    expect(fixes.map((f) => [f.requires, f.unlocks])).toEqual([[['x'], 10], [['y'], 3], [['z'], 3]]);
    expect(rankFixes([{ id: 1, weight: 1, missing: [['b']] }, { id: 2, weight: 1, missing: [['a']] }])[0]!.requires).toEqual(['a']);
  });
});
