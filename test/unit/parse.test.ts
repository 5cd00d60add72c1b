import { describe, expect, it } from 'vitest';
import { parseRuleFile } from '../../src/rules/parse.js';
import type { CorrelationRule, SigmaRule } from '../../src/rules/model.js';

const rule = (extra = '') => `title: T
id: 11111111-1111-4111-8111-111111111111
status: test
level: high
tags: [attack.execution, attack.t1059.001, attack.T1105]
logsource:
  product: Windows
  category: process_creation
detection:
  selection:
    Image|endswith: '\\cmd.exe'
  condition: selection
${extra}`;

describe('rule parsing', () => {
  it('builds the typed model', () => {
    const { rules, errors } = parseRuleFile('r.yml', rule());
    expect(errors).toEqual([]);
    const r = rules[0] as SigmaRule;
    expect(r).toMatchObject({ kind: 'rule', title: 'T', status: 'test', level: 'high', logsource: { product: 'windows', category: 'process_creation' } });
    expect(r.techniques).toEqual(['T1059.001', 'T1105']);
    expect(r.logsourceLine).toBe(6);
  });

  it('expands collections: global, repeat and reset', () => {
    const text = `action: global
logsource: {product: windows, service: security}
level: high
---
title: A
detection: {s: {EventID: 4624}, condition: s}
---
action: repeat
title: B
detection: {s: {EventID: 4625}}
---
action: reset
---
title: C
logsource: {product: windows, category: process_creation}
detection: {s: {Image: x}, condition: s}
`;
    const { rules, errors } = parseRuleFile('c.yml', text);
    expect(errors).toEqual([]);
    const rs = rules as SigmaRule[];
    expect(rs.map((r) => r.title)).toEqual(['A', 'B', 'C']);
    expect(rs[0]!.logsource.service).toBe('security');
    expect(rs[1]!.facts.eventIds).toEqual([4625]);
    expect(rs[1]!.level).toBe('high');
    expect(rs[2]!.level).toBeUndefined();
  });

  it('recognises correlation rules and filter documents', () => {
    const text = `title: Corr
correlation:
  type: temporal
  rules: [rule-a, rule-b]
  timespan: 5m
---
title: Filter
logsource: {product: windows, category: process_creation}
filter:
  rules: [x]
  selection: {User: admin}
  condition: not selection
---
just: metadata
`;
    const { rules, notes } = parseRuleFile('m.yml', text);
    expect(rules).toHaveLength(1);
    expect((rules[0] as CorrelationRule).references).toEqual(['rule-a', 'rule-b']);
    expect(notes.map((n) => n.message)).toEqual([expect.stringMatching(/filter/), expect.stringMatching(/not a Sigma rule/)]);
  });

  it('reports broken YAML with its line and keeps the other documents', () => {
    const text = `${rule()}---
title: broken
detection:
  sel: {a: 1}
 condition: sel
`;
    const { rules, errors } = parseRuleFile('b.yml', text);
    expect(rules).toHaveLength(1);
    expect(errors[0]!.path).toBe('b.yml (document 2)');
    expect(errors[0]!.message).toMatch(/YAML error/);
  });

  it('rejects rules without detection, logsource or title; reads duplicate keys as PyYAML does, with a note', () => {
    expect(parseRuleFile('x.yml', 'title: x\nlogsource: {product: windows}\n').errors[0]!.message).toMatch(/no "detection"/);
    expect(parseRuleFile('x.yml', 'title: x\ndetection: {condition: a}\n').errors[0]!.message).toMatch(/no "logsource"/);
    expect(parseRuleFile('x.yml', 'logsource: {}\ndetection: {condition: a}\n').errors[0]!.message).toMatch(/no "title"/);
    const dup = parseRuleFile('x.yml', 'title: a\ntitle: b\nlogsource: {product: windows}\ndetection: {s: {a: 1}, condition: s}\n');
    expect(dup.errors).toEqual([]);
    expect(dup.rules[0]!.title).toBe('b');
    expect((dup.rules[0] as { facts: { warnings: string[] } }).facts.warnings[0]).toBe(
      'duplicate key title at line 2: the earlier value is ignored, as PyYAML does',
    );
  });

  it('survives an alias bomb without expanding it', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++)
      bomb.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)},*${String.fromCharCode(96 + i)}]`,
      );
    const { errors } = parseRuleFile('bomb.yml', bomb.join('\n') + '\n');
    expect(errors[0]!.message).toMatch(/YAML error/);
  });

  it('skips empty documents and non-mappings', () => {
    expect(parseRuleFile('e.yml', '---\n---\n').rules).toEqual([]);
    expect(parseRuleFile('l.yml', '- a\n- b\n').notes[0]!.message).toMatch(/not a mapping/);
  });
});
