import type { Assessment, VerdictCounts } from '../assess/assess.js';
import type { Verdict } from '../assess/verdict.js';
import type { Catalog } from '../catalog/catalog.js';
import type { State } from '../environment/model.js';
import type { SysmonState } from '../environment/sysmon.js';
import { describeRequirement } from '../requirements/describe.js';
import type { CheckResult } from './result.js';

/** What the JSON report gains when an environment (gpresult, auditpol) is given. */
export interface Readiness {
  /** Single host: that host's counts. Fleet: rule × host counts over all hosts. */
  verdicts: VerdictCounts;
  hosts: HostRow[];
  recommendations: RecommendationRow[];
}

export interface HostRow {
  name: string;
  files: string[];
  summary: VerdictCounts;
  notes: string[];
  conflicts: string[];
  warnings: string[];
}

/** A requirement's state as reports show it: Sysmon event types use the config's states. */
export type ShownState = State | SysmonState | 'mixed';

export interface RecommendationRow {
  rank: number;
  requires: { id: string; name: string; state: ShownState; enable: string; details: string[] }[];
  unlocks: number;
  hosts: number;
  rules: { path: string; title: string }[];
}

/** Adds verdicts, requirement states, hosts and ranked recommendations to the result (one object for every renderer). */
export function withReadiness(result: CheckResult, a: Assessment, catalog: Catalog): CheckResult {
  const single = a.hosts.length === 1 ? a.hosts[0] : undefined;
  const stateAcross = (id: string): { state: ShownState; on: number; reason?: string } => {
    const states = a.hosts.map((h) => h.states.get(id));
    const on = states.filter((s) => s?.state === 'on').length;
    // Sysmon event types show the config's own state: on, filtered, off or unsupported.
    const kinds = new Set(states.map((s) => s?.sysmonState ?? (s?.state === 'partial' ? 'on' : s?.state) ?? 'unknown'));
    const state = kinds.size === 1 ? ([...kinds][0] as ShownState) : 'mixed';
    return { state, on, reason: single ? states[0]?.reason : undefined };
  };

  const rules = result.rules.map((r, i) => {
    if (single) {
      const v = single.rules[i];
      const sysmon = single.sysmon?.perRule.get(i);
      return { ...r, verdict: v?.verdict, missing: v?.missing ?? [], why: v?.why, ...(sysmon ? { sysmon } : {}) };
    }
    const verdicts: Record<Verdict, number> = { ready: 0, partial: 0, blocked: 0, unknown: 0 };
    for (const h of a.hosts) verdicts[h.rules[i]?.verdict ?? 'unknown']++;
    return { ...r, verdicts };
  });
  const requirements = result.requirements.map((q) => {
    const s = stateAcross(q.id);
    return single ? { ...q, state: s.state, stateReason: s.reason } : { ...q, state: s.state, hostsOn: s.on };
  });

  const total: VerdictCounts = { ready: 0, partial: 0, blocked: 0, unknown: 0, readiness: null };
  for (const h of a.hosts) for (const k of ['ready', 'partial', 'blocked', 'unknown'] as const) total[k] += h.summary[k];
  const assessable = total.ready + total.partial + total.blocked;
  total.readiness = assessable ? Math.round((1000 * total.ready) / assessable) / 10 : null;

  return {
    ...result,
    rules,
    requirements,
    readiness: {
      verdicts: total,
      hosts: a.hosts.map((h) => ({ name: h.name, files: h.files, summary: h.summary, notes: h.notes, conflicts: h.conflicts, warnings: h.warnings })),
      recommendations: a.recommendations.map((rec) => ({
        rank: rec.rank,
        requires: rec.requires.map((id) => {
          const d = describeRequirement(id, catalog);
          return { id, name: d.name, state: stateAcross(id).state, enable: d.enable, details: d.details };
        }),
        unlocks: rec.unlocks,
        hosts: rec.hosts,
        rules: rec.rules,
      })),
    },
  };
}
