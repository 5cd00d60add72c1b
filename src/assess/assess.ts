import { splitRequirement, type Catalog } from '../catalog/catalog.js';
import type { HostEnvironment, State } from '../environment/model.js';
import type { SysmonConfig } from '../environment/sysmon.js';
import type { LoadedRule } from '../rules/model.js';
import { matchTerms, simulate, type SimResult, type Simulation } from './sysmon-sim.js';
import { originReads } from '../requirements/reads.js';
import { logWarnings, rulesPerLog } from './logsize.js';
import { contains, formatRanges, forwardState, type ForwardedSet, type ForwardState } from '../environment/forwarded.js';
import type { RankItem } from './rank.js';
import { recommend, type Recommendation, type VolumeBudget } from './recommend.js';
import type { RankMode, VolumeOptions } from './volume.js';
import { ASSUMED, count, roleLabel, visibility, type AssessInput, type AssessRule, type HostSeen, type RuleVerdict, type VerdictCounts } from './counts.js';
import { assessRule, requirementState, type AltInput, type RequirementState, type StateOptions, type Verdict } from './verdict.js';


export interface HostAssessment {
  name: string;
  role?: string;
  /** What we could see: the inputs read, and per requirement kind still unknown, the file that would settle it. */
  seen: HostSeen;
  files: string[];
  summary: VerdictCounts;
  /** Per rule (same order as result.rules): verdict and missing requirement ids. */
  rules: { verdict: Verdict; missing: string[]; why: string; cause?: string }[];
  states: Map<string, RequirementState>;
  notes: string[];
  conflicts: string[];
  warnings: string[];
  /** With a Sysmon config: per rule, what the simulation says for each Sysmon event type it needs. */
  sysmon?: SysmonReport;
  /** With collector configs: per rule (index), why some of its events are not (all) forwarded. */
  forwarding?: Map<number, string[]>;
}

export interface SysmonReport {
  config: string;
  schemaVersion: string;
  perRule: Map<number, { eventId: number; result: SimResult; reasons: string[] }[]>;
}

export type { Recommendation, VolumeBudget } from './recommend.js';

export interface Assessment {
  hosts: HostAssessment[];
  /** With --assume-defaults: what was taken at its Windows default, said once. */
  assumptions: string[];
  recommendations: Recommendation[];
  /** How the fixes are ordered: rules per setting (default) or per volume weight (--rank value). */
  ranking: RankMode;
  /** With --max-volume: the budget and the fixes it left out. */
  volumeBudget?: VolumeBudget;
  /** With collector configs: per channel the rules need, what is needed, what is forwarded, what is missing. */
  channels?: ChannelReport[];
}

export interface ChannelReport {
  channel: string;
  /** Event IDs the rules need from it; "any" when some rule matches any event of the channel. */
  needed: number[] | 'any';
  forwarded: string;
  missing: number[];
  /** Rules reading this channel whose events are not all forwarded. */
  rulesAffected: number;
}

/** Verdicts of every rule on every host, and fixes ranked by rules (× hosts) unlocked. */
export function assess(result: AssessInput, hosts: HostEnvironment[], catalog: Catalog, loaded: LoadedRule[] = [], opts: StateOptions = {}, vol: VolumeOptions = {}): Assessment {
  const rules = result.rules;
  const sim = sysmonSimulator(loaded, catalog);
  const logUse = rulesPerLog(result, catalog);
  const ids = result.requirements.map((r) => r.id);
  const out: HostAssessment[] = [];
  // Hosts whose inputs give every requirement the same state get the same verdicts: rank them as one group.
  const groups = new Map<string, { weight: number; host: HostAssessment; missing: string[][][] }>();
  const assumed = new Set<string>();
  // One object per distinct state (a fleet repeats a few thousand among millions): memory follows the
  // distinct states, not hosts × requirements. States are never changed once made.
  const interned = new Map<string, RequirementState[]>();
  const intern = (st: RequirementState): RequirementState => {
    // By reason first (no key string to build for each of hosts × requirements), then the other fields.
    const same = interned.get(st.reason);
    const known = same?.find((k) => k.state === st.state && k.sysmonState === st.sysmonState && k.assumed === st.assumed);
    if (known) return known;
    if (same) same.push(st);
    else interned.set(st.reason, [st]);
    return st;
  };

  for (const host of hosts) {
    const states = new Map<string, RequirementState>();
    for (const id of ids) states.set(id, intern(requirementState(id, host, catalog, opts)));
    for (const [id, st] of states) if (st.assumed) assumed.add(ASSUMED[splitRequirement(id)[0]] ?? st.reason);
    const sig = ids.map((id) => shortState((states.get(id) as RequirementState).state)).join('') + (host.sysmon?.path ?? '') + (host.forwarded ? `|${host.forwardedFrom}` : '');
    const g = groups.get(sig);
    // Verdicts depend only on the states: a fleet of look-alike hosts is assessed once per distinct state set.
    const done = g ? { verdicts: g.host.rules, missing: g.missing, sysmon: g.host.sysmon, forwarding: g.host.forwarding } : assessRules(rules, host, states, catalog, sim, opts);
    const verdicts = done.verdicts;
    const summary = g ? g.host.summary : count(verdicts, rules);
    const ha: HostAssessment = { name: host.name, role: roleLabel(host), seen: visibility(host, states), files: host.files, summary, rules: verdicts, states, notes: host.notes, conflicts: host.conflicts, warnings: logWarnings(host, logUse, catalog), sysmon: done.sysmon, forwarding: done.forwarding };
    out.push(ha);
    if (g) g.weight++;
    else groups.set(sig, { weight: 1, host: ha, missing: done.missing });
  }

  const items: RankItem[] = [];
  const groupList = [...groups.values()];
  groupList.forEach((g, gi) => {
    g.host.rules.forEach((v, ri) => {
      const rule = rules[ri] as AssessRule;
      if (v.verdict === 'ready' || v.verdict === 'not-applicable' || rule.unknownReason || rule.kind !== 'rule') return;
      items.push({ id: gi * rules.length + ri, weight: g.weight, missing: g.missing[ri] ?? [] });
    });
  });
  // The host's kind picks Microsoft's per-computer-type volume (a fleet's fix takes the highest of its hosts').
  const ranked = recommend(items, groupList, rules, catalog, hosts.map((h) => h.role?.kind), vol);
  const forwarded = hosts[0]?.forwarded;
  const assumptions = [...assumed].sort();
  return { hosts: out, assumptions, recommendations: ranked.recommendations, ranking: ranked.ranking, ...(ranked.budget ? { volumeBudget: ranked.budget } : {}), ...(forwarded ? { channels: channelReport(rules, catalog, forwarded) } : {}) };
}

/** Needed vs forwarded per channel, over every alternative of every assessable rule. */
function channelReport(rules: AssessRule[], catalog: Catalog, set: ForwardedSet): ChannelReport[] {
  const byChannel = new Map<string, { channel: string; ids: Set<number>; any: boolean; affected: Set<number> }>();
  rules.forEach((r, ri) => {
    if (r.unknownReason || r.kind !== 'rule') return;
    for (const name of r.origins) {
      const reads = originReads(catalog, r.logsourceKey, r.eventIds, name);
      if (!reads) continue;
      const key = reads.channel.toLowerCase();
      const c = byChannel.get(key) ?? { channel: reads.channel, ids: new Set<number>(), any: false, affected: new Set<number>() };
      if (!reads.ids.length) c.any = true;
      for (const id of reads.ids) c.ids.add(id);
      if (forwardState(set, reads.channel, reads.ids).state !== 'yes') c.affected.add(ri);
      byChannel.set(key, c);
    }
  });
  return [...byChannel.values()]
    .map((c) => {
      const f = set.get(c.channel.toLowerCase());
      const needed = [...c.ids].sort((a, b) => a - b);
      return {
        channel: c.channel,
        needed: c.any ? ('any' as const) : needed,
        forwarded: f ? (formatRanges(f.sure) === formatRanges(f.possible) ? formatRanges(f.sure) : `${formatRanges(f.sure)} (possibly ${formatRanges(f.possible)}: ${f.reasons.join('; ')})`) : 'none',
        missing: needed.filter((id) => !f || !contains(f.possible, id)),
        rulesAffected: c.affected.size,
      };
    })
    .sort((a, b) => b.rulesAffected - a.rulesAffected || a.channel.localeCompare(b.channel));
}

/** Simulation per (rule, event type, config), with the rule's match terms built once. */
function sysmonSimulator(loaded: LoadedRule[], catalog: Catalog): (ri: number, eventId: number, config: SysmonConfig) => Simulation | undefined {
  const terms = new Map<number, ReturnType<typeof matchTerms>>();
  // A verdict asks for a requirement's state several times: simulate each (rule, type, config) once.
  const done = new Map<string, Simulation | undefined>();
  return (ri, eventId, config) => {
    const key = `${ri}:${eventId}:${config.path}`;
    if (done.has(key)) return done.get(key);
    const s = run(ri, eventId, config);
    done.set(key, s);
    return s;
  };
  function run(ri: number, eventId: number, config: SysmonConfig): Simulation | undefined {
    const rule = loaded[ri];
    if (!rule || rule.kind !== 'rule') return undefined;
    const element = catalog.sysmonEvent(eventId)?.element;
    if (!element) return undefined;
    let t = terms.get(ri);
    if (!t) terms.set(ri, (t = matchTerms(rule)));
    const s = simulate(t.terms, config.elements.get(element), `${element} (EID ${eventId})`);
    return t.notes.length && s.result !== 'dropped' ? { result: 'partial', reasons: [...s.reasons, ...t.notes] } : s;
  }
}

type Simulator = ReturnType<typeof sysmonSimulator>;

/**
 * Every rule's verdict on one host, and per rule the requirement sets (per alternative) still not on, for the
 * ranking. With a Sysmon config, a Sysmon type counts for a rule only if its filters keep the rule's events;
 * with collectors, each alternative also needs its channel's events forwarded (`forward:<channel>`).
 */
function assessRules(rules: AssessRule[], host: HostEnvironment, states: Map<string, RequirementState>, catalog: Catalog, sim: Simulator, opts: StateOptions) {
  const perRule = new Map<number, { eventId: number; result: SimResult; reasons: string[] }[]>();
  const forwarding = new Map<number, string[]>();
  const missing: string[][][] = [];
  const verdicts: RuleVerdict[] = rules.map((r, ri) => {
    const hostState = (id: string) => states.get(id) ?? requirementState(id, host, catalog, opts);
    const forward = host.forwarded && !r.unknownReason ? forwardNeeds(r, catalog, host.forwarded) : undefined;
    const shortfalls = [...new Set((forward ?? []).flatMap((f) => (f && f.state !== 'yes' ? [f.detail] : [])))];
    if (shortfalls.length) forwarding.set(ri, shortfalls);
    // Shipping is needed by every event of an alternative: forward:<channel> joins each of its branches.
    const alternatives: AltInput[] = r.branches.map((branches, i) => {
      const f = forward?.[i];
      return { branches: f ? branches.map((b) => [...b, `forward:${f.channel}`]) : branches };
    });
    const stateOf = (id: string): RequirementState => {
      if (id.startsWith('forward:')) {
        const f = forward?.find((x) => x !== undefined && `forward:${x.channel}` === id);
        return { state: f?.state === 'yes' ? 'on' : f?.state === 'partial' ? 'partial' : 'off', reason: f?.detail ?? '' };
      }
      const st = hostState(id);
      if (!host.sysmon || !id.startsWith('sysmon:') || st.state !== 'on') return st;
      const eventId = Number(id.slice(7));
      const s = sim(ri, eventId, host.sysmon);
      if (!s) return st;
      const list = perRule.get(ri) ?? [];
      if (!list.some((x) => x.eventId === eventId)) list.push({ eventId, ...s });
      perRule.set(ri, list);
      return { ...st, state: s.result === 'logged' ? 'on' : s.result === 'partial' ? 'partial' : 'off', reason: s.reasons.join('; ') || st.reason };
    };
    const v: RuleVerdict = r.unknownReason
      ? { verdict: 'unknown', missing: [], why: r.unknownReason, cause: /ETW/.test(r.unknownReason) ? 'ETW only (no event log)' : 'not in catalog' }
      : assessRule(alternatives, r.supplementaryBranches.map((branches) => ({ branches })), stateOf);
    missing[ri] = fixable(alternatives, stateOf, catalog);
    return v;
  });
  return {
    verdicts,
    missing,
    sysmon: host.sysmon ? { config: host.sysmon.path, schemaVersion: host.sysmon.schemaVersion, perRule } : undefined,
    forwarding: host.forwarded ? forwarding : undefined,
  };
}

/**
 * Per alternative, what a fix must turn on: settings only. A role the host lacks or may lack is no fix (those
 * alternatives are left out), nor is a Sysmon type that no configuration can select (4, 16, 255: they come
 * with Sysmon itself and are never the reason to rank a setting). Branches the host's role never produces drop.
 */
function fixable(alternatives: AltInput[], stateOf: (id: string) => RequirementState, catalog: Catalog): string[][] {
  const out: string[][] = [];
  for (const alt of alternatives) {
    const live = alt.branches.filter((b) => !b.some((id) => id.startsWith('role:') && stateOf(id).state === 'off'));
    if (!live.length) continue;
    const ids = [...new Set(live.flat())];
    if (ids.some((id) => id.startsWith('role:') && stateOf(id).state !== 'on')) continue;
    const need = ids.filter((id) => !id.startsWith('role:') && stateOf(id).state !== 'on');
    if (need.some((id) => id.startsWith('sysmon:') && catalog.sysmonEvent(Number(id.slice(7)))?.filterable === false)) continue;
    out.push(need);
  }
  return out;
}

/** Per alternative of a rule: the channel its events come from and whether the collectors ship them. */
function forwardNeeds(r: AssessRule, catalog: Catalog, set: ForwardedSet): ({ channel: string; state: ForwardState; detail: string } | undefined)[] {
  return r.origins.map((name) => {
    const reads = originReads(catalog, r.logsourceKey, r.eventIds, name);
    return reads && { channel: reads.channel, ...forwardState(set, reads.channel, reads.ids) };
  });
}

/** intern() in assess() compares every field of a state: a field added to RequirementState must be compared there too. */
const INTERNED_FIELDS = { state: true, sysmonState: true, reason: true, assumed: true } satisfies Record<keyof RequirementState, true>;
void INTERNED_FIELDS;

function shortState(s: State | 'partial'): string {
  return s === 'on' ? '1' : s === 'off' ? '0' : s === 'partial' ? '~' : '?';
}


export { finishCounts, type VerdictCounts } from './counts.js';
