/**
 * SARIF notes from evidence (--observed): a rule the configuration says is produced but whose events were not
 * seen (`logsource/silent`), and one whose events arrive although the inputs say they cannot
 * (`logsource/observed-despite-config`). Notes, not warnings: both can be normal (rare events, stale inputs).
 */
import type { CheckResult, RuleRow } from '../result/result.js';

const RULES = {
  silent: { text: 'The host is configured to log the events this Sigma rule reads, but none were seen in the observed events.', help: 'Check that the channel is collected and exported, and whether the events are rare or the observed window short (see the message).' },
  'observed-despite-config': { text: 'Events this Sigma rule reads arrive although the host inputs say they are not produced.', help: 'The host inputs (gpresult, auditpol, Sysmon config) are stale or incomplete: collect them again.' },
} as const;

type EvidenceKind = keyof typeof RULES;

/** The SARIF reporting descriptors, only when the report has evidence. */
export function evidenceSarifRules(result: CheckResult) {
  if (!result.evidence) return [];
  return (Object.keys(RULES) as EvidenceKind[]).map((k) => ({
    id: `logsource/${k}`,
    name: k === 'silent' ? 'RuleSilent' : 'RuleObservedDespiteConfig',
    shortDescription: { text: RULES[k].text },
    fullDescription: { text: `${RULES[k].text} logsource-check joins observed event counts (EVTX, SIEM exports) with the verdicts.` },
    defaultConfiguration: { level: 'note' },
    help: { text: RULES[k].help },
  }));
}

export function evidenceSarifResults(result: CheckResult) {
  if (!result.evidence) return [];
  return result.rules.flatMap((r) => (Object.keys(RULES) as EvidenceKind[]).flatMap((k) => (hasState(r, k) ? [toResult(r, k)] : [])));
}

function hasState(r: RuleRow, k: EvidenceKind): boolean {
  return r.kind === 'rule' && (r.evidence?.state === k || (r.evidenceStates?.[k] ?? 0) > 0);
}

function toResult(r: RuleRow, k: EvidenceKind) {
  const why = r.evidence?.why ?? `on ${r.evidenceStates?.[k]} host(s)`;
  return {
    ruleId: `logsource/${k}`,
    level: 'note',
    message: { text: `${r.title}: ${k === 'silent' ? 'configured on but not seen' : 'seen despite the configuration'}. ${why}.` },
    locations: [{ physicalLocation: { artifactLocation: { uri: r.path.split('\\').join('/') }, region: { startLine: r.line ?? 1 } } }],
    partialFingerprints: { sigmaRule: r.id ?? r.path },
    properties: { logsource: r.logsourceKey, evidence: k, seen: r.evidence?.seen ?? [], techniques: r.techniques },
  };
}
