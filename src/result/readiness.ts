import { finishCounts, type Assessment, type VerdictCounts } from '../assess/assess.js';
import { WINDOW_TEXT } from '../assess/measured-cost.js';
import type { Verdict } from '../assess/verdict.js';
import { percent } from '../assess/counts.js';
import { settingNames } from '../assess/settings.js';
import type { Catalog } from '../catalog/catalog.js';
import { compareRequirements, describeRequirement } from '../requirements/describe.js';
import type { CheckResult, LogsourceReadiness, ShownState, SysmonSummary } from './result.js';

/** Adds verdicts, requirement states, hosts and ranked recommendations to the result (one object for every renderer). */
export function withReadiness(result: CheckResult, a: Assessment, catalog: Catalog, identity: string[] = []): CheckResult {
  const single = a.hosts.length === 1 ? a.hosts[0] : undefined;
  const stateAcross = (id: string): { state: ShownState; on: number; reason?: string } => {
    // Forwarding is judged per rule; a fix names it only where it is lacking.
    if (id.startsWith('forward:')) return { state: 'off', on: 0 };
    // Per group of hosts with the same states: a fleet of 100,000 look-alike hosts is a few groups.
    let on = 0;
    const kinds = new Set<string>();
    for (const g of a.groups) {
      const s = g.host.states.get(id);
      if (s?.state === 'on') on += g.weight;
      // Sysmon event types show the config's own state: on, filtered, off or unsupported.
      kinds.add(s?.sysmonState ?? (s?.state === 'partial' ? 'on' : s?.state) ?? 'unknown');
    }
    const state = kinds.size === 1 ? ([...kinds][0] as ShownState) : 'mixed';
    return { state, on, reason: single ? single.states.get(id)?.reason : undefined };
  };

  // Hosts of one group share its verdict list (assess.ts): the list's identity names the group.
  const groupOf = single ? undefined : new Map(a.groups.map((g, i) => [g.host.rules, i]));
  const rules = result.rules.map((r, i) => {
    if (single) {
      const v = single.rules[i];
      const sysmon = single.sysmon?.perRule.get(i);
      const forwarding = single.forwarding?.get(i);
      return {
        ...r,
        verdict: v?.verdict,
        missing: v?.missing ?? [],
        why: v?.why,
        ...(v?.degraded?.length ? { degraded: v.degraded } : {}),
        ...(sysmon ? { sysmon } : {}),
        ...(forwarding ? { forwarding } : {}),
      };
    }
    const verdicts: Record<Verdict, number> = { ready: 0, partial: 0, blocked: 0, unknown: 0, 'not-applicable': 0, 'out-of-scope': 0 };
    for (const g of a.groups) verdicts[g.host.rules[i]?.verdict ?? 'unknown'] += g.weight;
    return { ...r, verdicts };
  });
  const requirements = result.requirements.map((q) => {
    const s = stateAcross(q.id);
    return single ? { ...q, state: s.state, stateReason: s.reason } : { ...q, state: s.state, hostsOn: s.on };
  });

  const total: VerdictCounts = {
    ready: 0,
    degraded: 0,
    partial: 0,
    blocked: 0,
    unknown: 0,
    notApplicable: 0,
    applicable: 0,
    readiness: null,
    unknownCauses: {},
    outOfScope: 0,
  };
  for (const { weight, host: h } of a.groups) {
    for (const k of ['ready', 'degraded', 'partial', 'blocked', 'unknown', 'notApplicable'] as const) total[k] += weight * h.summary[k];
    for (const [cause, n] of Object.entries(h.summary.unknownCauses)) total.unknownCauses[cause] = (total.unknownCauses[cause] ?? 0) + weight * n;
  }
  // Out-of-scope rules are the same on every host: counted once.
  total.outOfScope = a.hosts[0]?.summary.outOfScope ?? 0;
  finishCounts(total);

  return {
    ...result,
    summary: { ...result.summary, verdicts: total },
    rules,
    requirements,
    readiness: {
      verdicts: total,
      assumptions: a.assumptions,
      identity,
      logsources: logsourceReadiness(rules),
      ...(a.hosts[0]?.sysmon ? { sysmon: sysmonSummary(a, result, catalog) } : {}),
      ...(a.channels ? { channels: a.channels } : {}),
      ...(a.ranking === 'value' ? { ranking: 'value' as const } : {}),
      ...(a.recommendations.some((r) => r.measured) ? { measuredCost: { window: WINDOW_TEXT, ...(a.valueBasis ? { ranking: a.valueBasis } : {}) } } : {}),
      ...(a.withheld ? { withheld: a.withheld.map((w) => ({ ...w, names: w.requires.map((id) => describeRequirement(id, catalog).name) })) } : {}),
      ...(a.volumeBudget
        ? {
            volumeBudget: {
              max: a.volumeBudget.max,
              settingsAbove: a.volumeBudget.settingsAbove,
              onlyAbove: a.volumeBudget.onlyAbove,
              leftOut: a.volumeBudget.leftOut.map((f) => ({ ...f, names: settingNames(f.requires, catalog) })),
            },
          }
        : {}),
      hosts: a.hosts.map((h) => ({
        name: h.name,
        role: h.role,
        seen: h.seen,
        files: h.files,
        summary: h.summary,
        notes: h.notes,
        conflicts: h.conflicts,
        warnings: h.warnings,
        ...groupField(groupOf, h.rules),
      })),
      ...(groupOf ? { verdictGroups: verdictGroups(a, result) } : {}),
      recommendations: a.recommendations.map((rec) => {
        // Types of one Sysmon element are one setting (a fix per setting): the filters cutting any of them are
        // said once for the element, so its "how" is one line, not one per event type.
        const cuts = new Map<string, string[]>();
        const cutting = new Map<string, number[]>();
        for (const id of rec.requires) {
          const state = stateAcross(id).state;
          if (!id.startsWith('sysmon:') || (state !== 'filtered' && state !== 'on')) continue;
          if (!filtersCutting(a, [Number(id.slice(7))], rec.ruleIndexes).length) continue;
          const element = describeRequirement(id, catalog).group ?? id;
          cutting.set(element, [...(cutting.get(element) ?? []), Number(id.slice(7))]);
          cuts.set(id, []);
        }
        for (const id of cuts.keys()) cuts.set(id, filtersCutting(a, cutting.get(describeRequirement(id, catalog).group ?? id) ?? [], rec.ruleIndexes));
        return {
          rank: rec.rank,
          requires: [...rec.requires].sort(compareRequirements).map((id) => {
            const d = describeRequirement(id, catalog);
            const state = stateAcross(id).state;
            const filters = cuts.get(id) ?? [];
            // A config that filters the type out for these rules needs its filters narrowed, not Sysmon installed.
            const enable = filters.length
              ? `the deployed Sysmon config drops or cuts these rules' events: narrow ${filters.slice(0, 3).join('; ')}${filters.length > 3 ? ` (+${filters.length - 3} more)` : ''}`
              : (sysmonAdvice(id, state, a, catalog) ?? d.enable);
            const advice = filters.length ? undefined : sysmonAdvice(id, state, a, catalog);
            // Advice about the deployed config replaces the generic text; its command/XML no longer apply.
            const extra = filters.length || advice ? {} : { ...(d.command ? { command: d.command } : {}), ...(d.xml ? { xml: d.xml } : {}) };
            return { id, name: d.name, state, enable, details: d.details, ...(d.group ? { group: d.group } : {}), ...extra };
          }),
          unlocks: rec.unlocks,
          hosts: rec.hosts,
          rules: rec.rules,
          volume: rec.volume ?? 'unrated',
          volumes: rec.volumes,
          ...(rec.measured ? { measuredCost: rec.measured } : {}),
        };
      }),
    },
  };
}

/**
 * Per group of hosts with the same verdicts: the rules not ready there (diff names the hosts a rule changed on).
 * Left out: ready rules, and other products' rules (out-of-scope everywhere); a reader takes an absent rule as
 * ready when it is a Windows rule, out-of-scope otherwise (report/run-diff.ts hostVerdicts).
 */
function verdictGroups(a: Assessment, result: CheckResult): NonNullable<CheckResult['readiness']>['verdictGroups'] {
  return a.groups.map((g) => ({
    hosts: g.weight,
    notReady: g.host.rules.flatMap((v, rule) =>
      v.verdict === 'ready' || (v.verdict === 'out-of-scope' && result.rules[rule]?.windows === false)
        ? []
        : [{ rule, verdict: v.verdict, missing: v.missing }],
    ),
  }));
}

/** A host's group; none when its verdicts are not a group's (never expected): the report then says so, not "ready". */
function groupField(groupOf: Map<unknown, number> | undefined, rules: unknown): { group?: number } {
  const g = groupOf?.get(rules);
  return g === undefined ? {} : { group: g };
}

/** Counts per Sysmon event type and the config filters that cost the most rules (first host's config). */
function sysmonSummary(a: Assessment, result: CheckResult, catalog: Catalog): SysmonSummary {
  const host = a.hosts[0] as Assessment['hosts'][number];
  const report = host.sysmon as NonNullable<typeof host.sysmon>;
  const types = new Map<number, SysmonSummary['types'][number]>();
  const offenders = new Map<string, number>();
  const evading = new Map<string, number>();
  let evasionRules = 0;
  for (const q of result.requirements) {
    if (q.kind !== 'sysmon') continue;
    const id = Number(q.id.slice(7));
    const state = host.states.get(q.id)?.sysmonState ?? 'off';
    types.set(id, { eventId: id, element: catalog.sysmonEvent(id)?.element ?? '', state, rules: q.rules, logged: 0, partial: 0, dropped: 0 });
  }
  for (const sims of report.perRule.values()) {
    for (const s of sims) {
      const t = types.get(s.eventId);
      if (t) t[s.result]++;
      if (s.result === 'logged' && s.evasion?.length) {
        evasionRules++;
        for (const e of s.evasion) if (!e.startsWith('…')) evading.set(e, (evading.get(e) ?? 0) + 1);
      }
      if (s.result === 'logged') continue;
      for (const r of s.reasons) if (!r.startsWith('…')) offenders.set(r, (offenders.get(r) ?? 0) + 1);
    }
  }
  return {
    config: report.config,
    schemaVersion: report.schemaVersion,
    types: [...types.values()].sort((x, y) => x.eventId - y.eventId),
    offenders: [...offenders]
      .map(([filter, rules]) => ({ filter, rules }))
      .sort((x, y) => y.rules - x.rules || x.filter.localeCompare(y.filter))
      .slice(0, 20),
    ...(evasionRules
      ? {
          evasion: {
            rules: evasionRules,
            exclusions: [...evading]
              .map(([filter, rules]) => ({ filter, rules }))
              .sort((x, y) => y.rules - x.rules || x.filter.localeCompare(y.filter))
              .slice(0, 10),
          },
        }
      : {}),
    hazards: report.hazards,
  };
}

/** The config filters that drop or cut the events of these rules for one Sysmon type, most rules first. */
function filtersCutting(a: Assessment, eventIds: number[], ruleIndexes: number[]): string[] {
  const counts = new Map<string, number>();
  // The first host's simulation, as the Sysmon summary uses: one config applies to the whole fleet.
  const perRule = a.hosts[0]?.sysmon?.perRule;
  for (const ri of ruleIndexes) {
    for (const s of perRule?.get(ri) ?? []) {
      if (!eventIds.includes(s.eventId) || s.result === 'logged') continue;
      for (const r of s.reasons) if (!r.startsWith('…')) counts.set(r, (counts.get(r) ?? 0) + 1);
    }
  }
  return [...counts].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).map(([r]) => r);
}

/** With a Sysmon config deployed, an off or unsupported type is a change to that config, not an install. */
function sysmonAdvice(id: string, state: ShownState, a: Assessment, catalog: Catalog): string | undefined {
  const config = a.hosts[0]?.sysmon?.config;
  if (!id.startsWith('sysmon:') || !config) return undefined;
  const ev = catalog.sysmonEvent(Number(id.slice(7)));
  if (!ev?.element) return undefined;
  if (state === 'off')
    return `the deployed Sysmon config (${config}) does not log ${ev.element}: add <${ev.element} onmatch="exclude"/> or include filters for these rules (logsource-check sysmon-config --base ${config} merges them)`;
  if (state === 'unsupported')
    return `the deployed config's schemaversion predates ${ev.element} (needs ${ev.minSchema ?? 'a newer schema'}): raise it and add the element (logsource-check sysmon-config --base ${config})`;
  return undefined;
}

/** Verdict counts per Windows log source (rule × host over a fleet), largest first: the table's and the page's overview. */
function logsourceReadiness(rules: CheckResult['rules']): LogsourceReadiness[] {
  const by = new Map<string, LogsourceReadiness>();
  for (const r of rules) {
    if (r.kind !== 'rule' || !r.windows) continue;
    const row = by.get(r.logsourceKey) ?? {
      logsource: r.logsourceKey,
      rules: 0,
      ready: 0,
      partial: 0,
      blocked: 0,
      unknown: 0,
      notApplicable: 0,
      readiness: null,
    };
    row.rules++;
    const counts: Partial<Record<Verdict, number>> = r.verdicts ?? { [r.verdict ?? 'unknown']: 1 };
    row.ready += counts.ready ?? 0;
    row.partial += counts.partial ?? 0;
    row.blocked += counts.blocked ?? 0;
    row.unknown += counts.unknown ?? 0;
    row.notApplicable += counts['not-applicable'] ?? 0;
    by.set(r.logsourceKey, row);
  }
  for (const row of by.values()) {
    // Same denominator as the headline: not-applicable rules are left out, unknown ones stay in.
    row.readiness = percent(row.ready, row.ready + row.partial + row.blocked + row.unknown);
  }
  return [...by.values()].sort((x, y) => y.rules - x.rules || x.logsource.localeCompare(y.logsource));
}
