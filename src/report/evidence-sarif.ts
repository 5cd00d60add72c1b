/**
 * SARIF notes from evidence (--observed): a rule the configuration says is produced but whose events were not
 * seen (`logsource/silent`), and one whose events arrive although the inputs say they cannot
 * (`logsource/observed-despite-config`), and one whose events arrive without a field it reads in nearly every record
 * (`logsource/observed-without-fields`, with field evidence). Notes, not warnings: each can be normal (rare events,
 * stale inputs, a rule matching through other fields).
 */
import type { CheckResult, RuleRow } from '../result/result.js';

const RULES = {
  'observed-without-fields': {
    text: 'The events this Sigma rule reads arrive, but a field it reads is empty or missing in nearly every one of them.',
    help: 'Turn on the setting that fills the field (named in the message: the command-line policy for 4688, Sysmon <HashAlgorithms> …), or collect that field.',
  },
  silent: {
    text: 'The host is configured to log the events this Sigma rule reads, but none were seen in the observed events.',
    help: 'Check that the channel is collected and exported, and whether the events are rare or the observed window short (see the message).',
  },
  'observed-despite-config': {
    text: 'Events this Sigma rule reads arrive although the host inputs say they are not produced.',
    help: 'The host inputs (gpresult, auditpol, Sysmon config) are stale or incomplete: collect them again.',
  },
} as const;

type EvidenceKind = keyof typeof RULES;
const NAMES: Record<EvidenceKind, string> = {
  'observed-without-fields': 'RuleObservedWithoutFields',
  silent: 'RuleSilent',
  'observed-despite-config': 'RuleObservedDespiteConfig',
};
const SAYS: Record<EvidenceKind, string> = {
  'observed-without-fields': 'seen without fields it reads',
  silent: 'configured on but not seen',
  'observed-despite-config': 'seen despite the configuration',
};

/** The SARIF reporting descriptors, only when the report has evidence. */
export function evidenceSarifRules(result: CheckResult) {
  if (!result.evidence) return [];
  return (Object.keys(RULES) as EvidenceKind[]).map((k) => ({
    id: `logsource/${k}`,
    name: NAMES[k],
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
    message: { text: `${r.title}: ${SAYS[k]}. ${why}.` },
    locations: [{ physicalLocation: { artifactLocation: { uri: r.path.split('\\').join('/') }, region: { startLine: r.line ?? 1 } } }],
    partialFingerprints: { sigmaRule: r.id ?? r.path },
    properties: {
      logsource: r.logsourceKey,
      evidence: k,
      seen: r.evidence?.seen ?? [],
      ...(r.evidence?.emptyFields ? { emptyFields: r.evidence.emptyFields } : {}),
      techniques: r.techniques,
    },
  };
}
