/**
 * DeTT&CT data quality per ATT&CK data component, computed from a check result (renderers never compute it;
 * src/report/dettect.ts only writes it as DeTT&CT's data-source administration YAML). docs/report-formats.md
 * ("dettect") gives the reading of each dimension:
 *   device_completeness — the share of rule × host pairs of the component's rules that are ready;
 *   consistency — with --observed, the share of the component's judged pairs whose events arrived;
 *   data_field_completeness — on one host, the share of ready rules not degraded (no field they read missing);
 *   timeliness, retention — not measured by these inputs: 0, and the comment says so.
 * A dimension the inputs do not show is 0 with the reason, never a guess: DeTT&CT has no "unknown" score.
 */
import type { AttackComponents } from '../catalog/attack-components.js';
import { componentsOf } from '../catalog/attack-components.js';
import type { Catalog } from '../catalog/catalog.js';

/** What the scoring reads of each rule (the report's RuleRow has these fields; assess never imports the report). */
export interface DettectRule {
  kind: 'rule' | 'correlation';
  windows: boolean;
  unknownReason?: string;
  logsourceKey: string;
  /** One host: its verdict; several: how many hosts give each verdict. */
  verdict?: string;
  verdicts?: Record<string, number>;
  degraded?: string[];
  evidence?: { state: string };
  evidenceStates?: Record<string, number>;
}

/** What the scoring reads of the check result (CheckResult has these fields). */
export interface DettectInput {
  rules: DettectRule[];
  readiness?: { hosts: unknown[] };
  evidence?: unknown;
}

export type Score = 0 | 1 | 2 | 3 | 4 | 5;

export interface DettectDimension {
  score: Score;
  /** The measured share in percent (one decimal), null when not measured. */
  percent: number | null;
  /** What the score rests on, or why it is 0. */
  basis: string;
}

export interface DettectComponent {
  name: string;
  /** Windows rules of the set whose log source maps to the component. */
  rules: number;
  /** Products the component's log sources come from (Sysmon, Windows Security auditing, a channel). */
  products: string[];
  deviceCompleteness: DettectDimension;
  dataFieldCompleteness: DettectDimension;
  timeliness: DettectDimension;
  consistency: DettectDimension;
  retention: DettectDimension;
  /** Events of the component's rules arrived somewhere (--observed); false when no observation shows it. */
  availableForAnalytics: boolean;
}

export interface DettectAssessment {
  hosts: number;
  components: DettectComponent[];
  /** Rules counted in no component: their log source has no mapping (the Security log as a whole …). */
  unmapped: number;
}

/** 0 for none, else one step per 20 %: 1–20 % → 1 … 81–100 % → 5. */
export function score(percent: number): Score {
  if (!(percent > 0)) return 0;
  return Math.min(5, Math.max(1, Math.ceil(percent / 20))) as Score;
}

const pct = (n: number, d: number): number | null => (d ? Math.round((1000 * n) / d) / 10 : null);
const NOT_MEASURED = (what: string): DettectDimension => ({ score: 0, percent: null, basis: `not measured: ${what}` });

export function assessDettect(result: DettectInput, data: AttackComponents, catalog: Catalog): DettectAssessment {
  const hosts = result.readiness?.hosts.length ?? 0;
  const byComponent = new Map<string, DettectRule[]>();
  let unmapped = 0;
  for (const r of result.rules) {
    if (r.kind !== 'rule' || !r.windows || r.unknownReason) continue;
    const names = componentsOf(data, r.logsourceKey).filter((n) => data.components.find((c) => c.name === n)?.dettect !== false);
    if (!names.length) unmapped++;
    for (const n of names) byComponent.set(n, [...(byComponent.get(n) ?? []), r]);
  }
  const components = [...byComponent].map(([name, rules]) => component(name, rules, hosts, result, catalog));
  components.sort((a, b) => a.name.localeCompare(b.name));
  return { hosts, components, unmapped };
}

function component(name: string, rules: DettectRule[], hosts: number, result: DettectInput, catalog: Catalog): DettectComponent {
  // Rule × host pairs: a fleet gives per-rule verdict counts, one host its verdict. not-applicable pairs (a role
  // the host lacks) are no device the component could be on.
  let ready = 0;
  let pairs = 0;
  for (const r of rules) {
    if (r.verdicts) {
      for (const [v, n] of Object.entries(r.verdicts)) if (v !== 'not-applicable' && v !== 'out-of-scope') pairs += n;
      ready += r.verdicts['ready'] ?? 0;
    } else if (r.verdict && r.verdict !== 'not-applicable' && r.verdict !== 'out-of-scope') {
      pairs++;
      if (r.verdict === 'ready') ready++;
    }
  }
  const dp = pct(ready, pairs);
  const deviceCompleteness: DettectDimension =
    dp === null
      ? NOT_MEASURED('no host input assessed these rules (--gpresult, --auditpol or --host)')
      : { score: score(dp), percent: dp, basis: `${ready} of ${pairs} rule × host pairs ready over ${hosts} host(s)` };

  let dataFieldCompleteness = NOT_MEASURED(hosts > 1 ? 'a fleet report does not keep per-host degraded fields' : 'no ready rule');
  if (hosts === 1) {
    const readyRules = rules.filter((r) => r.verdict === 'ready');
    const whole = readyRules.filter((r) => !r.degraded?.length).length;
    const p = pct(whole, readyRules.length);
    if (p !== null)
      dataFieldCompleteness = { score: score(p), percent: p, basis: `${whole} of ${readyRules.length} ready rules read no field their source lacks` };
  }

  // Evidence (--observed): a fleet keeps per-rule state counts, one host the rule's state.
  const counts = { observed: 0, judged: 0 };
  for (const r of rules) {
    const states: Record<string, number> = r.evidenceStates ?? (r.evidence ? { [r.evidence.state]: 1 } : {});
    const seen = (states['observed'] ?? 0) + (states['observed-despite-config'] ?? 0);
    counts.observed += seen;
    // Events that arrive without the fields the rule reads are judged but do not count as arriving whole.
    counts.judged += seen + (states['observed-without-fields'] ?? 0) + (states['partly-observed'] ?? 0) + (states['silent'] ?? 0);
  }
  const cp = pct(counts.observed, counts.judged);
  const consistency: DettectDimension = !result.evidence
    ? NOT_MEASURED('no --observed input shows what arrived')
    : cp === null
      ? NOT_MEASURED('no rule of this component was configured on or observed')
      : {
          score: score(cp),
          percent: cp,
          basis: `${counts.observed} of ${counts.judged} configured or observed rule × host pairs had their events arrive (--observed)`,
        };

  const keys = new Set(rules.map((r) => r.logsourceKey));
  const products = new Set<string>();
  for (const k of keys) {
    for (const o of catalog.entryByKey(k)?.sources ?? []) {
      products.add(
        o.producer === 'sysmon'
          ? 'Sysmon'
          : o.producer === 'audit'
            ? 'Windows Security auditing'
            : o.producer === 'etw'
              ? `ETW (${o.name})`
              : `Windows event log: ${o.channel ?? o.name}`,
      );
    }
  }
  return {
    name,
    rules: rules.length,
    products: [...products].sort(),
    deviceCompleteness,
    dataFieldCompleteness,
    timeliness: NOT_MEASURED('the inputs carry no arrival delay'),
    consistency,
    retention: NOT_MEASURED('log retention is not scored by this format'),
    availableForAnalytics: Boolean(result.evidence) && counts.observed > 0,
  };
}
