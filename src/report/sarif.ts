/**
 * SARIF 2.1.0 for GitHub code scanning: one result per rule that is not ready, located at the rule file's
 * `logsource:` line, with the missing settings and how to turn them on. Without an environment only rules
 * whose log source cannot be assessed are reported (there is no verdict to report otherwise).
 */
import { jsonSafe } from '../escape.js';
import type { CheckResult, RuleRow } from '../result/result.js';
import { evidenceSarifResults, evidenceSarifRules } from './evidence-sarif.js';

const RULES = {
  blocked: { level: 'error', text: 'Nothing this Sigma rule needs is logged (or forwarded) on the host.' },
  partial: { level: 'warning', text: 'Only part of the events this Sigma rule needs are logged (or forwarded) on the host.' },
  unknown: { level: 'note', text: 'Whether this Sigma rule can fire cannot be told from the inputs.' },
} as const;

type Kind = keyof typeof RULES;

export function renderSarif(result: CheckResult): string {
  const names = new Map(result.requirements.map((q) => [q.id, q]));
  const results = result.rules.flatMap((r) => {
    // --changed-since / --files-from: results only on the files the pull request changed.
    if (result.changed && !r.changed) return [];
    const kind = kindOf(r, Boolean(result.readiness));
    return kind ? [toResult(r, kind, names)] : [];
  });
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: result.tool.name,
            version: result.tool.version,
            informationUri: 'https://github.com/SigmaHQ/sigma',
            rules: [
              ...(Object.keys(RULES) as Kind[]).map((k) => ({
                id: `logsource/${k}`,
                name: `Rule${k[0]?.toUpperCase()}${k.slice(1)}`,
                shortDescription: { text: RULES[k].text },
                fullDescription: {
                  text: `${RULES[k].text} logsource-check compares the rule's log source with the host's audit policy, logging policies, Sysmon configuration and collectors.`,
                },
                defaultConfiguration: { level: RULES[k].level },
                help: { text: 'Turn on the missing settings named in the result (auditpol, GPO, registry, Sysmon config, collector).' },
              })),
              ...evidenceSarifRules(result),
            ],
          },
        },
        // Evidence notes too, in a PR scope, only on the changed rules' files.
        results: [...results, ...evidenceSarifResults(result.changed ? { ...result, rules: result.rules.filter((r) => r.changed) } : result)],
      },
    ],
  };
  return jsonSafe(JSON.stringify(sarif, null, 2)) + '\n';
}

function kindOf(r: RuleRow, assessed: boolean): Kind | undefined {
  if (r.kind !== 'rule') return undefined;
  if (!assessed) return r.unknownReason && r.windows ? 'unknown' : undefined;
  if (r.verdicts) {
    // A fleet: the worst verdict any host gives the rule (each host's count is in the message).
    if (r.verdicts.blocked) return 'blocked';
    if (r.verdicts.partial) return 'partial';
    return r.verdicts.unknown && r.windows ? 'unknown' : undefined;
  }
  if (r.verdict === 'blocked' || r.verdict === 'partial') return r.verdict;
  if (r.verdict === 'unknown' && r.windows) return 'unknown';
  return undefined;
}

function toResult(r: RuleRow, kind: Kind, names: Map<string, { name: string; enable: string }>) {
  const missing = (r.missing ?? []).map((id) => names.get(id)?.name ?? id);
  const fixes = (r.missing ?? []).map((id) => `${names.get(id)?.name ?? id}: ${names.get(id)?.enable ?? 'see the report'}`);
  const v = r.verdicts;
  const fleet = v
    ? `On ${v.ready + v.partial + v.blocked + v.unknown + v['not-applicable']} hosts: ready ${v.ready}, partial ${v.partial}, blocked ${v.blocked}, unknown ${v.unknown}, not applicable ${v['not-applicable']}`
    : '';
  const why = r.unknownReason ?? r.why ?? fleet;
  const text = [
    `${r.title}: ${kind}.`,
    missing.length ? `Missing: ${missing.join(', ')}.` : '',
    why ? `Why: ${why}.` : '',
    fixes.length ? `Fix: ${fixes.join('; ')}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return {
    ruleId: `logsource/${kind}`,
    level: RULES[kind].level,
    message: { text },
    locations: [{ physicalLocation: { artifactLocation: { uri: r.path.split('\\').join('/') }, region: { startLine: r.line ?? 1 } } }],
    partialFingerprints: { sigmaRule: r.id ?? r.path },
    properties: { logsource: r.logsourceKey, missing: r.missing ?? [], techniques: r.techniques },
  };
}
