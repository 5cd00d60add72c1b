import { describe, expect, it } from 'vitest';
import { classifySelections, ConditionError, expandPattern, parseCondition } from '../../src/rules/condition.js';
import { analyseDetection } from '../../src/rules/detection.js';

const positives = (cond: string, sels: string[]) => [...classifySelections(parseCondition(cond).ast, sels).positive].sort();

describe('condition grammar', () => {
  it('parses and/or precedence and parentheses', () => {
    expect(parseCondition('a or b and c').ast).toEqual({
      type: 'or',
      operands: [
        { type: 'ref', name: 'a' },
        {
          type: 'and',
          operands: [
            { type: 'ref', name: 'b' },
            { type: 'ref', name: 'c' },
          ],
        },
      ],
    });
    expect(parseCondition('(a or b) and c').ast.type).toBe('and');
  });

  it('treats selections under one not as negative and under two as positive', () => {
    expect(positives('sel and not filter', ['sel', 'filter'])).toEqual(['sel']);
    expect(positives('not (not a)', ['a'])).toEqual(['a']);
    expect(positives('sel and not (f1 or f2)', ['sel', 'f1', 'f2'])).toEqual(['sel']);
  });

  it('expands 1 of / all of / them with wildcards', () => {
    const sels = ['selection_a', 'selection_b', 'filter_main', '_helper'];
    expect(positives('1 of selection_* and not 1 of filter_*', sels)).toEqual(['selection_a', 'selection_b']);
    expect(positives('all of them', sels)).toEqual(['filter_main', 'selection_a', 'selection_b']);
    expect(positives('any of selection* and not all of filter*', sels)).toEqual(['selection_a', 'selection_b']);
    expect(expandPattern('sel*', ['sel', 'selx', 'other'])).toEqual(['sel', 'selx']);
  });

  it('is case-insensitive for keywords and reports aggregations', () => {
    const { ast, warnings } = parseCondition('Selection AND NOT Filter | count() by host > 5');
    expect(classifySelections(ast, ['Selection', 'Filter']).positive).toEqual(new Set(['Selection']));
    expect(warnings[0]).toMatch(/aggregation/);
  });

  it('rejects malformed conditions', () => {
    expect(() => parseCondition('(a or b')).toThrow(ConditionError);
    expect(() => parseCondition('a and')).toThrow(ConditionError);
    expect(() => parseCondition('a b')).toThrow(ConditionError);
    expect(() => parseCondition('1 of')).toThrow(ConditionError);
  });

  it('reports undefined selections', () => {
    expect(classifySelections(parseCondition('a and missing').ast, ['a']).undefinedRefs).toEqual(['missing']);
  });
});

describe('detection analysis', () => {
  it('collects EventIDs only from positive selections, in every written form', () => {
    const facts = analyseDetection({
      sel_scalar: { EventID: 4624 },
      sel_list: { EventID: [4625, '4771'] },
      sel_maps: [{ EventID: '4768', TargetUserName: 'x' }, { 'EventID|cased': 4769 }],
      filter: { EventID: 4634 },
      condition: '1 of sel_* and not filter',
    });
    expect(facts.eventIds).toEqual([4624, 4625, 4768, 4769, 4771]);
  });

  it('never takes an EventID from a selection used only under not', () => {
    const facts = analyseDetection({ selection: { Image: 'x' }, filter: { EventID: 1 }, condition: 'selection and not filter' });
    expect(facts.eventIds).toEqual([]);
    expect(facts.fields).toEqual(['EventID', 'Image']);
    expect(facts.positiveFields).toEqual(['Image']);
  });

  it('strips modifiers from field names and collects Channel, Provider_Name and ObjectType', () => {
    const facts = analyseDetection({
      selection: { 'CommandLine|contains|all': ['a', 'b'], Channel: 'Security', Provider_Name: ['Microsoft-Windows-Security-Auditing'], ObjectType: 'Key' },
      condition: 'selection',
    });
    expect(facts.positiveFields).toEqual(['Channel', 'CommandLine', 'ObjectType', 'Provider_Name']);
    expect(facts.channels).toEqual(['Security']);
    expect(facts.providers).toEqual(['Microsoft-Windows-Security-Auditing']);
    expect(facts.objectTypes).toEqual(['Key']);
  });

  it('uses the union of a list of conditions', () => {
    const facts = analyseDetection({ a: { EventID: 1 }, b: { EventID: 2 }, c: { EventID: 3 }, condition: ['a', 'b and not c'] });
    expect(facts.eventIds).toEqual([1, 2]);
  });

  it('falls back to every selection, with a warning, when the condition is broken', () => {
    const facts = analyseDetection({ a: { EventID: 1 }, condition: 'a and (' });
    expect(facts.eventIds).toEqual([1]);
    expect(facts.warnings.join()).toMatch(/every selection is treated as used/);
  });

  it('reports EventIDs it cannot enumerate', () => {
    const facts = analyseDetection({ a: { 'EventID|gt': 4000, EventID: 'abc' }, condition: 'a' });
    expect(facts.eventIds).toEqual([]);
    expect(facts.warnings.length).toBe(2);
  });

  it('ignores keyword lists', () => {
    expect(analyseDetection({ keywords: ['mimikatz', 'sekurlsa'], condition: 'keywords' }).fields).toEqual([]);
  });
});
