/** Adds evidence (what actually arrived) to the result: per rule its state, and the summary of every host. */
import { emptyEvidenceCounts, type EvidenceAssessment } from '../assess/evidence.js';
import type { EvidenceReport } from '../assess/evidence-summary.js';
import type { CheckResult } from './result.js';

export function withEvidence(result: CheckResult, ev: EvidenceAssessment, summary: EvidenceReport): CheckResult {
  const single = ev.hosts.length === 1;
  const rules = result.rules.map((r, ri) => {
    if (single) {
      const e = ev.rules[0]?.[ri];
      return e ? { ...r, evidence: e } : r;
    }
    // Over several hosts a rule shows how many hosts give each state, as verdicts do.
    const states = emptyEvidenceCounts();
    let any = false;
    for (const perRule of ev.rules) {
      const s = perRule[ri]?.state;
      if (s) {
        states[s]++;
        any = true;
      }
    }
    return any ? { ...r, evidenceStates: states } : r;
  });
  return { ...result, rules, evidence: summary };
}
