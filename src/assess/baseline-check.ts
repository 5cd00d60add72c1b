/**
 * `check --baseline`: the rule set assessed against each baseline as if the baseline were a host, side by
 * side. Same verdicts as for a real host (assess()), so "N rules ready" means the same thing in both reports.
 */
import type { Baseline, BaselineKind, BaselineRole } from '../catalog/baselines.js';
import { splitRequirement, type Catalog } from '../catalog/catalog.js';
import type { LoadedRule } from '../rules/model.js';
import { assess } from './assess.js';
import { baselineAsHost } from './baseline.js';
import { count, type AssessInput, type AssessRule, type VerdictCounts } from './counts.js';
import type { StateOptions } from './verdict.js';

export interface LogsourceReadiness {
  /** Catalog key: windows/category/process_creation, windows/service/security. */
  logsource: string;
  counts: VerdictCounts;
}

export interface BaselineLack {
  /** Requirement id the baseline does not turn on (audit:…, policy:…, channel:…). */
  id: string;
  /**
   * off: the baseline sets it off (a policy: leaves it at its disabled default); unset: the baseline does not
   * set it; unrecorded: the baseline file records no settings of this kind; partial: on for part of the events.
   */
  state: 'off' | 'unset' | 'unrecorded' | 'partial';
  /** Rules not ready on this baseline that miss it. */
  rules: number;
}

export interface BaselineReadiness {
  baseline: { name: string; title: string; publisher: string; version: string; source: string; role?: BaselineRole; covers: BaselineKind[] };
  summary: VerdictCounts;
  logsources: LogsourceReadiness[];
  /** Settings a baseline can hold (audit, policies, channels) that rules need and the baseline does not turn on. */
  lacks: BaselineLack[];
  /** Rules not ready for want of what no baseline here sets (Sysmon, SACLs, the host's role), per kind. */
  outside: Record<string, number>;
  assumptions: string[];
}

export interface BaselineCheck {
  baselines: BaselineReadiness[];
}

/** What a logging baseline can set: the rest (Sysmon, SACLs, roles, forwarding) is never in one. */
const BASELINE_KINDS = new Set(['audit', 'policy', 'channel']);

export function assessBaselines(
  input: AssessInput,
  baselines: Baseline[],
  catalog: Catalog,
  loaded: LoadedRule[] = [],
  opts: StateOptions = {},
): BaselineCheck {
  return {
    baselines: baselines.map((b) => {
      const a = assess(input, [baselineAsHost(b, catalog)], catalog, loaded, opts);
      const ha = a.hosts[0];
      if (!ha) throw new Error('assessment of a baseline returned no host');
      const byLogsource = new Map<string, number[]>();
      input.rules.forEach((r, i) => {
        if (r.kind !== 'rule' || !r.windows) return;
        const list = byLogsource.get(r.logsourceKey) ?? [];
        list.push(i);
        byLogsource.set(r.logsourceKey, list);
      });
      const logsources = [...byLogsource].map(([logsource, idx]) => ({
        logsource,
        counts: count(
          idx.map((i) => ha.rules[i] ?? { verdict: 'unknown' as const, missing: [], why: '' }),
          idx.map((i) => input.rules[i] as AssessRule),
        ),
      }));
      logsources.sort((x, y) => y.counts.applicable - x.counts.applicable || x.logsource.localeCompare(y.logsource));
      const need = new Map<string, number>();
      const outside: Record<string, number> = {};
      ha.rules.forEach((v, i) => {
        const r = input.rules[i] as AssessRule;
        if (r.kind !== 'rule' || !r.windows || r.unknownReason || v.verdict === 'ready' || v.verdict === 'not-applicable') return;
        const kinds = new Set<string>();
        for (const id of v.missing) {
          const kind = splitRequirement(id)[0];
          if (BASELINE_KINDS.has(kind)) need.set(id, (need.get(id) ?? 0) + 1);
          else kinds.add(kind);
        }
        for (const k of kinds) outside[k] = (outside[k] ?? 0) + 1;
      });
      const lacks = [...need]
        .map(([id, rules]) => {
          const st = ha.states.get(id)?.state;
          const kind = splitRequirement(id)[0];
          const recorded = kind === 'audit' ? b.covers.includes('audit') : kind === 'policy' ? b.covers.includes('policies') : b.covers.includes('channels');
          const state: BaselineLack['state'] = st === 'off' ? 'off' : st === 'partial' ? 'partial' : recorded ? 'unset' : 'unrecorded';
          return { id, rules, state };
        })
        .sort((x, y) => y.rules - x.rules || x.id.localeCompare(y.id));
      return {
        baseline: {
          name: b.name,
          title: b.title,
          publisher: b.publisher,
          version: b.version,
          source: b.source,
          ...(b.role ? { role: b.role } : {}),
          covers: b.covers,
        },
        summary: ha.summary,
        logsources,
        lacks,
        outside,
        assumptions: a.assumptions,
      };
    }),
  };
}
