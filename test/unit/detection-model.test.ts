import { describe, expect, it } from 'vitest';
import { parseRuleFile } from '../../src/rules/parse.js';
import { fieldsNeedingContent, positiveTests, readSelections, typedDetection } from '../../src/rules/detection-model.js';
import type { SigmaRule } from '../../src/rules/model.js';

describe('typed detection model', () => {
  it('reads each selection shape of the Sigma specification once', () => {
    const sels = readSelections({
      selection: { 'CommandLine|contains|all': [' -enc ', 'bypass'], ' Image |endswith ': '\\powershell.exe' },
      either: [{ EventID: 4688 }, { EventID: 1, Provider_Name: 'Microsoft-Windows-Sysmon' }],
      keywords: ['mimikatz', 'sekurlsa'],
      condition: 'selection and either and not keywords',
      timeframe: '5m',
    });
    expect(sels.map((s) => s.name)).toEqual(['selection', 'either', 'keywords']);
    const [cmd, image] = sels[0]!.branches[0]!;
    expect(cmd).toMatchObject({ field: 'CommandLine', fieldLower: 'commandline', modifiers: ['contains', 'all'], values: [' -enc ', 'bypass'] });
    expect(image).toMatchObject({ field: 'Image', modifiers: ['endswith'], values: ['\\powershell.exe'] });
    expect(sels[1]!.branches.map((b) => b.map((t) => t.field))).toEqual([['EventID'], ['EventID', 'Provider_Name']]);
    expect(sels[2]).toMatchObject({ keywords: true, branches: [[]] });
  });

  it('keeps only the selections the condition uses positively, and builds once per rule', () => {
    const parsed = parseRuleFile(
      'r.yml',
      [
        'title: t',
        'logsource: {product: windows, category: process_creation}',
        'detection:',
        '  selection: {Image|endswith: \\x.exe}',
        '  filter: {ParentImage: C:\\ok.exe}',
        '  condition: selection and not filter',
        '',
      ].join('\n'),
    );
    const rule = parsed.rules[0] as SigmaRule;
    expect(typedDetection(rule).positive.map((s) => s.name)).toEqual(['selection']);
    expect([...positiveTests(rule)].map((t) => t.field)).toEqual(['Image']);
    expect(typedDetection(rule)).toBe(typedDetection(rule));
  });

  it('a field the rule allows to be empty ("-", null, |exists: false) is not one it needs filled', () => {
    const parsed = parseRuleFile(
      'r.yml',
      [
        'title: t',
        'logsource: {product: windows, service: security}',
        'detection:',
        "  selection: {EventID: 4624, WorkstationName: '-', TargetUserName: 'ANONYMOUS LOGON', 'IpAddress|exists': false}",
        '  filter: {CommandLine: x}',
        '  condition: selection and not filter',
        '',
      ].join('\n'),
    );
    // EventID is a System field, but the typed model does not know that: the evidence side skips System fields.
    expect(fieldsNeedingContent(parsed.rules[0] as SigmaRule)).toEqual(['EventID', 'TargetUserName']);
  });
});
