/**
 * What changed between two runs (two JSON reports, or a report and the run being made): per host, the rules whose
 * verdict changed and the requirements behind each change. A pure function of the two results; reading and
 * validating report files is read-report.ts, the shapes are diff-model.ts. Documented in docs/usage.md ("diff").
 */
import type { Verdict } from '../assess/verdict.js';
import type { DiffRequirement, HostDiff, RuleChange, RuleRef, RunDiff, RunRef, SettingChange } from './diff-model.js';
import type { CheckResult, RuleRow } from './result.js';

export type { RunDiff } from './diff-model.js';

/**
 * Lost readiness, precisely: a rule that was ready and is now partial, blocked or unknown, or was partial and is now
 * blocked or unknown. Unknown counts as a loss because the new run no longer shows the rule can fire (a false
 * "ready" is the worst outcome). Ready → not-applicable or out-of-scope is a change, not a loss: the rule no longer
 * applies to the host (its role or the rule's product changed), and it is listed as such.
 */
export const LOSSES: Readonly<Record<Verdict, readonly Verdict[]>> = {
  ready: ['partial', 'blocked', 'unknown'],
  partial: ['blocked', 'unknown'],
  blocked: [],
  unknown: [],
  'not-applicable': [],
  'out-of-scope': [],
};

export function isLoss(from: Verdict, to: Verdict): boolean {
  return LOSSES[from].includes(to);
}

/** The verdict of each rule on one host of a result, and the requirement ids missing for it. */
export type HostVerdicts = (rule: number) => { verdict: Verdict; missing: string[]; why?: string };

/**
 * Per host of a result, its verdicts; undefined when the result has no host or is a fleet report without per-host
 * verdicts (made before readiness.verdictGroups): the caller says so, never guesses.
 */
export function hostVerdicts(result: CheckResult): { name: string; files: string[]; readiness: number | null; verdicts: HostVerdicts }[] | undefined {
  const hosts = result.readiness?.hosts;
  if (!hosts?.length) return undefined;
  const rules = result.rules;
  if (hosts.length === 1) {
    const h = hosts[0]!;
    return [
      {
        name: h.name,
        files: h.files,
        readiness: h.summary.readiness,
        verdicts: (i) => ({ verdict: rules[i]?.verdict ?? 'unknown', missing: rules[i]?.missing ?? [], why: rules[i]?.why }),
      },
    ];
  }
  const groups = result.readiness?.verdictGroups;
  if (!groups) return undefined;
  const maps = groups.map((g) => new Map(g.notReady.map((n) => [n.rule, n])));
  return hosts.map((h) => {
    const map = maps[h.group ?? -1];
    return {
      name: h.name,
      files: h.files,
      readiness: h.summary.readiness,
      // A rule absent from its group's list is ready; a host without a group (a broken report) is unknown throughout.
      verdicts: (i) => {
        if (!map) return { verdict: 'unknown', missing: [] };
        const n = map.get(i);
        if (n) return { verdict: n.verdict, missing: n.missing };
        return { verdict: rules[i]?.windows === false ? 'out-of-scope' : 'ready', missing: [] };
      },
    };
  });
}

/** How a rule is matched across runs: its id when that id is unique in the run, else its path and title. */
function ruleKeys(rules: RuleRow[]): string[] {
  const ids = new Map<string, number>();
  for (const r of rules) if (r.id) ids.set(r.id, (ids.get(r.id) ?? 0) + 1);
  return rules.map((r) => (r.id && ids.get(r.id) === 1 ? `id:${r.id}` : `path:${r.path}\u0000${r.title}`));
}

const ref = (r: RuleRow): RuleRef => ({ ...(r.id ? { id: r.id } : {}), title: r.title, path: r.path });

export function diffRuns(before: CheckResult, after: CheckResult, labels: { old?: string; new?: string } = {}): RunDiff {
  const notes: string[] = [];
  const oldKeys = ruleKeys(before.rules);
  const newKeys = ruleKeys(after.rules);
  const oldIndex = new Map(oldKeys.map((k, i) => [k, i]));
  const newIndex = new Map(newKeys.map((k, i) => [k, i]));
  const pairs: [number, number][] = [];
  newKeys.forEach((k, i) => {
    const o = oldIndex.get(k);
    if (o !== undefined) pairs.push([o, i]);
  });
  const rulesAdded = after.rules.filter((_, i) => !oldIndex.has(newKeys[i]!)).map(ref);
  const rulesRemoved = before.rules.filter((_, i) => !newIndex.has(oldKeys[i]!)).map(ref);
  if (before.tool.catalog && after.tool.catalog && before.tool.catalog !== after.tool.catalog) {
    notes.push(`the runs used different catalogs (${before.tool.catalog} → ${after.tool.catalog}): a verdict may change with the catalog, not the host`);
  }

  const oldHosts = hostVerdicts(before);
  const newHosts = hostVerdicts(after);
  const hosts: HostDiff[] = [];
  const hostsAdded: string[] = [];
  const hostsRemoved: string[] = [];
  let incomparable: string | undefined;
  if (oldHosts && newHosts) {
    const byName = new Map(oldHosts.map((h) => [h.name.toLowerCase(), h]));
    const paired = new Set<string>();
    const single = oldHosts.length === 1 && newHosts.length === 1 && !byName.has(newHosts[0]!.name.toLowerCase());
    if (single) notes.push(`each run has one host: "${oldHosts[0]!.name}" and "${newHosts[0]!.name}" compared as the same host`);
    for (const h of newHosts) {
      const o = single ? oldHosts[0] : byName.get(h.name.toLowerCase());
      if (!o) {
        hostsAdded.push(h.name);
        continue;
      }
      paired.add(o.name.toLowerCase());
      const changes: RuleChange[] = [];
      for (const [oi, ni] of pairs) {
        const a = o.verdicts(oi);
        const b = h.verdicts(ni);
        if (a.verdict === b.verdict) continue;
        const was = new Set(a.missing);
        const now = new Set(b.missing);
        changes.push({
          rule: ref(after.rules[ni]!),
          from: a.verdict,
          to: b.verdict,
          lost: isLoss(a.verdict, b.verdict),
          gained: isLoss(b.verdict, a.verdict),
          newlyMissing: b.missing.filter((id) => !was.has(id)).map((id) => requirement(after, id, newHosts.length === 1)),
          nowPresent: a.missing.filter((id) => !now.has(id)).map((id) => requirement(after, id, newHosts.length === 1)),
          ...(b.why ? { why: b.why } : {}),
        });
      }
      // Losses first, then gains, then the rest; by title within each.
      changes.sort((x, y) => Number(y.lost) - Number(x.lost) || Number(y.gained) - Number(x.gained) || x.rule.title.localeCompare(y.rule.title));
      hosts.push({
        name: h.name,
        ...(o.name !== h.name ? { oldName: o.name } : {}),
        inputs: { old: o.files, new: h.files },
        readiness: { old: o.readiness, new: h.readiness },
        changes,
        settings: oldHosts.length === 1 && newHosts.length === 1 ? settingChanges(before, after) : [],
      });
    }
    for (const o of oldHosts) if (!paired.has(o.name.toLowerCase())) hostsRemoved.push(o.name);
  } else if (oldHosts || newHosts) {
    const which = oldHosts ? 'new' : 'old';
    incomparable = `the ${which} run has no per-host verdicts (no host inputs, or a fleet report made before readiness.verdictGroups): hosts not compared`;
    notes.push(incomparable);
  } else {
    notes.push('neither run assessed hosts: only the rules added and removed are compared');
  }

  const all = hosts.flatMap((h) => h.changes);
  return {
    diffVersion: 1,
    old: runRef(before, labels.old),
    new: runRef(after, labels.new),
    summary: {
      hostsCompared: hosts.length,
      rulesCompared: pairs.length,
      lost: all.filter((c) => c.lost).length,
      gained: all.filter((c) => c.gained).length,
      changed: all.length,
      hostsWithLoss: hosts.filter((h) => h.changes.some((c) => c.lost)).length,
    },
    hosts,
    hostsAdded,
    hostsRemoved,
    rulesAdded,
    rulesRemoved,
    notes,
    ...(incomparable ? { incomparable } : {}),
  };
}

function runRef(r: CheckResult, label: string | undefined): RunRef {
  return {
    ...(label ? { label } : {}),
    version: r.tool.version,
    ...(r.tool.catalog ? { catalog: r.tool.catalog } : {}),
    rules: r.rules.length,
    hosts: r.readiness?.hosts.length ?? 0,
  };
}

const requirementsOf = new WeakMap<CheckResult, Map<string, CheckResult['requirements'][number]>>();

/** A requirement as the new run names it; on a single host with its state and the input that set it. */
function requirement(result: CheckResult, id: string, single: boolean): DiffRequirement {
  let byId = requirementsOf.get(result);
  if (!byId) requirementsOf.set(result, (byId = new Map(result.requirements.map((x) => [x.id, x]))));
  const q = byId.get(id);
  if (!q) return { id, name: id };
  return { id, name: q.name, ...(single && q.state ? { state: q.state } : {}), ...(single && q.stateReason ? { reason: q.stateReason } : {}) };
}

/** Requirements of both runs whose state on the (single) host changed. */
function settingChanges(before: CheckResult, after: CheckResult): SettingChange[] {
  const old = new Map(before.requirements.map((q) => [q.id, q]));
  const out: SettingChange[] = [];
  for (const q of after.requirements) {
    const o = old.get(q.id);
    if (!o?.state || !q.state || o.state === q.state) continue;
    out.push({ id: q.id, name: q.name, from: o.state, to: q.state, ...(q.stateReason ? { reason: q.stateReason } : {}) });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
