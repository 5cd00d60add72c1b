import { splitRequirement, type Catalog } from '../catalog/catalog.js';
import type { HostEnvironment } from '../environment/model.js';
import type { SysmonConfig } from '../environment/sysmon.js';
import type { LoadedRule } from '../rules/model.js';
import { matchTerms, simulate, type SimResult, type Simulation } from './sysmon-sim.js';
import { logWarnings, rulesPerLog } from './logsize.js';
import type { ForwardedSet } from '../environment/forwarded.js';
import { channelReport, forwardNeeds } from './channels.js';
import { fingerprint } from './fingerprint.js';
import type { RankItem } from './rank.js';
import { lintOnce, type SysmonFinding } from './sysmon-lint.js';
import { recommend, type Recommendation, type ValueBasis, type VolumeBudget, type WithheldFix } from './recommend.js';
import type { RankMode, VolumeOptions } from './volume.js';
import {
  ASSUMED,
  count,
  roleLabel,
  seenInputs,
  unknownKinds,
  type AssessInput,
  type AssessRule,
  type HostSeen,
  type RuleVerdict,
  type VerdictCounts,
} from './counts.js';
import { objectSaclState, saclWatcher } from './sacl-watch.js';
import { assessRule, requirementState, type AltInput, type RequirementState, type StateOptions } from './verdict.js';

export interface HostAssessment {
  name: string;
  role?: string;
  /** What we could see: the inputs read, and per requirement kind still unknown, the file that would settle it. */
  seen: HostSeen;
  files: string[];
  summary: VerdictCounts;
  /** Per rule (same order as result.rules): verdict and missing requirement ids. */
  rules: RuleVerdict[];
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
  perRule: Map<number, { eventId: number; result: SimResult; reasons: string[]; evasion?: string[] }[]>;
  /** Its deployment hazards (sysmon-lint), shown in the report's Sysmon section. */
  hazards: SysmonFinding[];
  /** The config's <HashAlgorithms> ("*" for all), when it sets one: field evidence compares Sysmon's Hashes with it. */
  hashAlgorithms?: string[];
}

/** Only a value the config states: without one the default is disputed (None or SHA1, data/sysmon-filtering.yaml). */
function hashAlgorithms(config: NonNullable<HostEnvironment['sysmon']>): { hashAlgorithms?: string[] } {
  const v = config.optionsUnseen ? undefined : config.options['HashAlgorithms'];
  const list = v
    ?.split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  return list?.length ? { hashAlgorithms: list } : {};
}

export type { Recommendation, VolumeBudget, WithheldFix } from './recommend.js';

export interface Assessment {
  hosts: HostAssessment[];
  /** Hosts with the same verdicts, each once with how many hosts it stands for: what fleet counts are made of. */
  groups: { weight: number; host: HostAssessment }[];
  /** With --assume-defaults: what was taken at its Windows default, said once. */
  assumptions: string[];
  recommendations: Recommendation[];
  /** How the fixes are ordered: rules per setting (default) or per volume weight (--rank value). */
  ranking: RankMode;
  /** With --max-volume: the budget and the fixes it left out. */
  volumeBudget?: VolumeBudget;
  /** --rank value with evidence: measured events/day or catalog weights, and why. */
  valueBasis?: ValueBasis;
  /** Blocking or archiving settings never proposed, and the rules left without a fix for it. */
  withheld?: WithheldFix[];
  /** With collector configs: per channel the rules need, what is needed, what is forwarded, what is missing. */
  channels?: ChannelReport[];
  /** What the ranking was made from (per group × rule not ready: the sets still missing), and the hosts' kinds: fix ranks its plans from them. */
  rankInput: { items: RankItem[]; kinds: (string | undefined)[] };
}

import type { ChannelReport } from './channels.js';
export type { ChannelReport };

/** Verdicts of every rule on every host, and fixes ranked by rules (× hosts) unlocked. */
export function assess(
  result: AssessInput,
  hosts: Iterable<HostEnvironment>,
  catalog: Catalog,
  loaded: LoadedRule[] = [],
  opts: StateOptions = {},
  vol: VolumeOptions = {},
  fleet: FleetOptions = {},
): Assessment {
  const a = new Assessor(result, catalog, loaded, opts, vol, fleet);
  for (const host of hosts) a.add(host);
  return a.finish();
}

export interface FleetOptions {
  /**
   * false: hosts whose inputs say the same (fingerprint) share one set of requirement states, whose reasons
   * name the first such host's files. Memory then follows the distinct host states, not the hosts. Keep them
   * (the default) where each host's reasons are shown (evidence per host).
   */
  keepStates?: boolean;
}

interface Group {
  weight: number;
  host: HostAssessment;
  missing: string[][][];
}

/**
 * Hosts are added one at a time (a fleet is streamed, never held): each is summarised as it comes, and
 * hosts whose requirements are all in the same state share one set of verdicts.
 */
export class Assessor {
  private readonly sim: Simulator;
  private readonly watch: SaclWatch;
  private readonly logUse: Map<string, number>;
  private readonly ids: string[];
  private readonly out: HostAssessment[] = [];
  /** Hosts whose inputs give every requirement the same state get the same verdicts: ranked as one group. */
  private readonly groups = new Map<string, Group>();
  private readonly byPrint = new Map<string, Group>();
  private readonly assumed = new Set<string>();
  private readonly kinds = new Set<string | undefined>();
  private readonly unknownOf = new WeakMap<Map<string, RequirementState>, HostSeen['unknown']>();
  /** One object per distinct state (reason included): states are never changed once made. */
  private readonly interned = new Map<string, RequirementState[]>();
  /** The first host's collectors (they apply to every host). */
  private forwarded: ForwardedSet | undefined;

  constructor(
    private readonly result: AssessInput,
    private readonly catalog: Catalog,
    loaded: LoadedRule[],
    private readonly opts: StateOptions,
    private readonly vol: VolumeOptions,
    private readonly fleet: FleetOptions,
  ) {
    this.sim = sysmonSimulator(loaded, catalog);
    this.watch = saclWatcher(loaded, result.rules, catalog);
    this.logUse = rulesPerLog(result, catalog);
    this.ids = result.requirements.map((r) => r.id);
  }

  add(host: HostEnvironment): void {
    const { catalog, result, opts } = this;
    if (!this.out.length) this.forwarded = host.forwarded;
    this.kinds.add(host.role?.kind);
    const print = this.fleet.keepStates === false ? fingerprint(host) : undefined;
    let g = print === undefined ? undefined : this.byPrint.get(print);
    let states = g?.host.states;
    if (!states) {
      states = new Map<string, RequirementState>();
      for (const id of this.ids) states.set(id, this.intern(requirementState(id, host, catalog, opts)));
      for (const [id, st] of states) if (st.assumed) this.assumed.add(ASSUMED[splitRequirement(id)[0]] ?? st.reason);
      const sig =
        this.ids.map((id) => shortState(states?.get(id) as RequirementState)).join('') +
        (host.sysmon?.path ?? '') +
        (host.forwarded ? `|${host.forwardedFrom}` : '') +
        (host.objectSacls ? `|sacls:${host.objectSacls.digest}` : '');
      g = this.groups.get(sig);
      if (!g) {
        const done = assessRules(result.rules, host, states, catalog, this.sim, opts, this.watch);
        const ha = this.assessment(host, states, {
          verdicts: done.verdicts,
          summary: count(done.verdicts, result.rules),
          sysmon: done.sysmon,
          forwarding: done.forwarding,
        });
        g = { weight: 0, host: ha, missing: done.missing };
        this.groups.set(sig, g);
      } else if (this.fleet.keepStates === false) {
        states = g.host.states; // the same states but for the reasons' wording: one map for the group
      }
      if (print !== undefined) this.byPrint.set(print, g);
    }
    const group = g as Group;
    group.weight++;
    const rep = group.host;
    this.out.push(
      group.weight === 1 ? rep : this.assessment(host, states, { verdicts: rep.rules, summary: rep.summary, sysmon: rep.sysmon, forwarding: rep.forwarding }),
    );
  }

  finish(): Assessment {
    const { result, catalog } = this;
    const rules = result.rules;
    const items: RankItem[] = [];
    const groupList = [...this.groups.values()];
    groupList.forEach((g, gi) => {
      g.host.rules.forEach((v, ri) => {
        const rule = rules[ri] as AssessRule;
        if (v.verdict === 'ready' || v.verdict === 'not-applicable' || rule.unknownReason || rule.kind !== 'rule') return;
        items.push({ id: gi * rules.length + ri, weight: g.weight, missing: g.missing[ri] ?? [] });
      });
    });
    // The host's kind picks Microsoft's per-computer-type volume (a fleet's fix takes the highest of its hosts').
    const ranked = recommend(items, groupList, rules, catalog, [...this.kinds], this.vol);
    const forwarded = this.forwarded;
    return {
      hosts: this.out,
      groups: groupList.map((g) => ({ weight: g.weight, host: g.host })),
      assumptions: [...this.assumed].sort(),
      recommendations: ranked.recommendations,
      ranking: ranked.ranking,
      ...(ranked.budget ? { volumeBudget: ranked.budget } : {}),
      ...(ranked.valueBasis ? { valueBasis: ranked.valueBasis } : {}),
      ...(ranked.withheld ? { withheld: ranked.withheld } : {}),
      ...(forwarded ? { channels: channelReport(rules, catalog, forwarded) } : {}),
      rankInput: { items, kinds: [...this.kinds] },
    };
  }

  private assessment(
    host: HostEnvironment,
    states: Map<string, RequirementState>,
    v: { verdicts: RuleVerdict[]; summary: VerdictCounts; sysmon?: SysmonReport; forwarding?: Map<number, string[]> },
  ): HostAssessment {
    // Hosts sharing a state map share what it leaves unknown; the inputs are each host's own.
    let unknown = this.unknownOf.get(states);
    if (!unknown) this.unknownOf.set(states, (unknown = unknownKinds(states)));
    const seen: HostSeen = { inputs: seenInputs(host), unknown };
    return {
      name: host.name,
      role: roleLabel(host),
      seen,
      files: host.files,
      summary: v.summary,
      rules: v.verdicts,
      states,
      notes: host.notes,
      conflicts: host.conflicts,
      warnings: logWarnings(host, this.logUse, this.catalog),
      sysmon: v.sysmon,
      forwarding: v.forwarding,
    };
  }

  private intern(st: RequirementState): RequirementState {
    // By reason first (no key string to build for each of hosts × requirements), then the other fields.
    const same = this.interned.get(st.reason);
    const known = same?.find((k) => k.state === st.state && k.sysmonState === st.sysmonState && k.assumed === st.assumed);
    if (known) return known;
    if (same) same.push(st);
    else this.interned.set(st.reason, [st]);
    return st;
  }
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
type SaclWatch = ReturnType<typeof saclWatcher>;

/**
 * Every rule's verdict on one host, and per rule the requirement sets (per alternative) still not on, for the
 * ranking. With a Sysmon config, a Sysmon type counts for a rule only if its filters keep the rule's events;
 * with collectors, each alternative also needs its channel's events forwarded (`forward:<channel>`).
 */
function assessRules(
  rules: AssessRule[],
  host: HostEnvironment,
  states: Map<string, RequirementState>,
  catalog: Catalog,
  sim: Simulator,
  opts: StateOptions,
  watch: SaclWatch,
) {
  const perRule = new Map<number, { eventId: number; result: SimResult; reasons: string[]; evasion?: string[] }[]>();
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
      const lacks = r.lacks?.[i];
      return { branches: f ? branches.map((b) => [...b, `forward:${f.channel}`]) : branches, ...(lacks?.length ? { lacks } : {}) };
    });
    const stateOf = (id: string): RequirementState => {
      if (id.startsWith('forward:')) {
        const f = forward?.find((x) => x !== undefined && `forward:${x.channel}` === id);
        return { state: f?.state === 'yes' ? 'on' : f?.state === 'partial' ? 'partial' : 'off', reason: f?.detail ?? '' };
      }
      const st = hostState(id);
      // Per-object SACLs: the keys and folders this rule watches, in sacls.txt (a global SACL still wins).
      const so = host.objectSacls && st.state !== 'on' ? /^sacl:(registry|file)(:failure)?$/.exec(id) : null;
      if (so && host.objectSacls) {
        const w = watch(ri);
        if (w) return objectSaclState(so[1] as 'registry' | 'file', w, host.objectSacls, so[2] ? 'failure' : 'success');
      }
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
      ? r.windows
        ? { verdict: 'unknown', missing: [], why: r.unknownReason, cause: /ETW/.test(r.unknownReason) ? 'ETW only (no event log)' : 'not in catalog' }
        : { verdict: 'out-of-scope', missing: [], why: r.unknownReason }
      : assessRule(
          alternatives,
          r.supplementaryBranches.map((branches) => ({ branches })),
          stateOf,
        );
    missing[ri] = fixable(alternatives, stateOf, catalog);
    return v;
  });
  return {
    verdicts,
    missing,
    sysmon: host.sysmon
      ? { config: host.sysmon.path, schemaVersion: host.sysmon.schemaVersion, perRule, hazards: lintOnce(host.sysmon, catalog), ...hashAlgorithms(host.sysmon) }
      : undefined,
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

/** intern() in assess() compares every field of a state: a field added to RequirementState must be compared there too. */
const INTERNED_FIELDS = { state: true, sysmonState: true, reason: true, assumed: true } satisfies Record<keyof RequirementState, true>;
void INTERNED_FIELDS;

/** A state's part of a group signature: its state and, for a Sysmon type, what the config does with it. */
function shortState(st: RequirementState): string {
  const s = st.state;
  const c = s === 'on' ? '1' : s === 'off' ? '0' : s === 'partial' ? '~' : '?';
  return st.sysmonState ? `${c}${st.sysmonState}` : c;
}

export { finishCounts, type VerdictCounts } from './counts.js';
