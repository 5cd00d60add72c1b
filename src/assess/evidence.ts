/**
 * Evidence: what actually arrived (observed event counts) joined with what the configuration says, per host
 * and rule. A rule is `observed` when every event branch of one of its alternatives is seen; `partly-observed`
 * when some are; `silent` when the inputs say it is produced (ready or partial) but nothing is seen;
 * `observed-despite-config` when events are seen that the inputs say cannot be produced (the inputs are stale
 * or incomplete); `not-observed` when nothing is configured and nothing seen. With field evidence (issue 24),
 * `observed-without-fields` when every seen alternative's events lack a field the rule reads in nearly every
 * record (4688 without the command line), naming the setting that fills it. See docs/evidence.md.
 *
 * Counts prove that events of a channel and ID arrive — not that they carry every field a rule reads (4688
 * without the command line) or pass a Sysmon filter: seen is about the log source, not the rule's matches.
 */
import { hostKey } from '../environment/model.js';
import { channelKey } from '../observe/channels.js';
import { percent } from './counts.js';
import type { Observations, ObservedCount } from '../observe/model.js';
import type { BranchEvent } from '../requirements/sets.js';
import { explain, windowOf, type ChannelIndex, type EvidenceState, type SeenEvent } from './evidence-text.js';
import type { Verdict } from './verdict.js';
import { checkFields, dataFields, emptySummary, indexFields, type EmptyField, type EmptyFieldRow, type FieldIndex } from './evidence-fields.js';
import { inferSettings, type InferredSetting, type SettingConflict } from './evidence-infer.js';

export type { EvidenceState, SeenEvent } from './evidence-text.js';
export type { EmptyField } from './evidence-fields.js';
export type { InferredSetting, SettingConflict } from './evidence-infer.js';
export const EVIDENCE_STATES: readonly EvidenceState[] = [
  'observed',
  'observed-without-fields',
  'partly-observed',
  'silent',
  'observed-despite-config',
  'not-observed',
];

/** What evidence needs of each rule (the report's RuleRow has these fields). */
export interface EvidenceRule {
  kind: 'rule' | 'correlation';
  windows: boolean;
  unknownReason?: string;
  branches: string[][][];
  branchEvents: BranchEvent[][];
  supplementaryBranches: string[][][];
  supplementaryBranchEvents: BranchEvent[][];
  /** Sigma fields the rule's positive selections read (field evidence judges them); absent: none known. */
  fields?: string[];
}

/** A configured host: its verdict per rule and the state of each requirement, from assessment. */
export interface EvidenceHostInput {
  name: string;
  verdicts: (Verdict | undefined)[];
  /** A requirement's state on the host, its reason and its name for the report ("Audit Special Logon Success"). */
  stateOf: (id: string) => { state: string; reason: string; name?: string } | undefined;
  /** The algorithms the host's Sysmon config names in <HashAlgorithms>, when an input shows them. */
  sysmonHashAlgorithms?: string[];
}

export interface RuleEvidence {
  state: EvidenceState;
  /** Events of the rule's branches that were seen (most frequent first, at most 10). */
  seen: SeenEvent[];
  /** Branch events of the closest alternative that were not seen. */
  unseen: BranchEvent[];
  why: string;
  /** observed-without-fields: the fields read that the seen events (nearly) never carry, and what fills them. */
  emptyFields?: EmptyField[];
}

export interface EvidenceHost {
  name: string;
  /** No configuration input: one host stands for everything observed. */
  implied: boolean;
  /** Computer names whose counts were used (as the observations spell them). */
  computers: string[];
  events: number;
  /** Channels seen, most events first. */
  channels: { channel: string; events: number; eventIds: number }[];
  first?: string;
  last?: string;
  /** Why the window may hide events: short, or without times. */
  window?: string;
  counts: Record<EvidenceState, number>;
  /** Plain Windows rules given a state. */
  judged: number;
  /** observed ÷ judged in percent, one decimal; null when nothing was judged or the host has no observations. */
  observedShare: number | null;
  /**
   * Field evidence: per field empty for some rule (field, channel, event IDs, what fills it), how many rules it
   * leaves observed without fields, most first. Absent when no rule is observed without fields.
   */
  emptyFields?: EmptyFieldRow[];
  /** Settings the fields of the events show (command-line policy on/off, Sysmon hash algorithms). */
  inferred?: InferredSetting[];
  /** Inferred settings the configuration inputs contradict (the inputs are stale or incomplete). */
  conflicts?: SettingConflict[];
}

export interface EvidenceAssessment {
  hosts: EvidenceHost[];
  /** Per host (same order), per rule (same order as the rules): its evidence, or undefined when not judged. */
  rules: (RuleEvidence | undefined)[][];
  /** Computers in the observations that match no configured host, with their events. */
  unmatched: { computer: string; events: number }[];
}

/** Short computer name: "ws-0142.contoso.local", "CONTOSO\WS-0142$" and "WS-0142" are one computer. */
export function computerKey(name: string): string {
  const k = hostKey(name.replace(/\s+\([^)]*\)$/, ''));
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(k) ? k : (k.split('.')[0] ?? k);
}

export function emptyEvidenceCounts(): Record<EvidenceState, number> {
  return { observed: 0, 'observed-without-fields': 0, 'partly-observed': 0, silent: 0, 'observed-despite-config': 0, 'not-observed': 0 };
}

/**
 * Evidence per host and rule. `hosts` are the configured hosts (their verdicts and requirement states); none:
 * one implied host "observed" holds every count. Counts without a computer apply to every host.
 */
export function assessEvidence(rules: EvidenceRule[], obs: Observations, hosts: EvidenceHostInput[] = []): EvidenceAssessment {
  const shared = obs.counts.filter((c) => !c.computer);
  const byComputer = new Map<string, ObservedCount[]>();
  // Grouped by computer only to join with host inputs (a fleet export may name a million computers).
  if (hosts.length)
    for (const c of obs.counts) {
      if (!c.computer) continue;
      const k = computerKey(c.computer);
      const list = byComputer.get(k);
      if (list) list.push(c);
      else byComputer.set(k, [c]);
    }
  const inputs: { host: EvidenceHostInput | undefined; name: string; counts: ObservedCount[] }[] = hosts.length
    ? hosts.map((h) => ({ host: h, name: h.name, counts: [...shared, ...(byComputer.get(computerKey(h.name)) ?? [])] }))
    : [{ host: undefined, name: 'observed', counts: obs.counts }];
  const used = new Set(hosts.map((h) => computerKey(h.name)));
  const unmatched = hosts.length
    ? [...byComputer]
        .filter(([k]) => !used.has(k))
        .map(([, list]) => ({ computer: list[0]?.computer ?? '', events: list.reduce((n, c) => n + c.count, 0) }))
        .sort((a, b) => b.events - a.events)
    : [];

  const out: EvidenceAssessment = { hosts: [], rules: [], unmatched };
  for (const inp of inputs) {
    const index = indexCounts(inp.counts);
    const fieldIndex = indexFields(inp.counts);
    const window = windowOf(inp.counts);
    const counts = emptyEvidenceCounts();
    let judged = 0;
    // A host no observation names is not judged: "silent" would blame its logging for a missing export.
    const perRule = inp.counts.length ? rules.map((r, ri) => judge(r, ri, index, fieldIndex, inp.host, window.note)) : rules.map(() => undefined);
    perRule.forEach((e, ri) => {
      const r = rules[ri] as EvidenceRule;
      if (!e || r.kind !== 'rule') return;
      counts[e.state]++;
      judged++;
    });
    out.rules.push(perRule);
    const empties = emptySummary(rules, perRule);
    const settings = fieldIndex.size ? inferSettings(fieldIndex, inp.host?.stateOf, inp.host?.sysmonHashAlgorithms) : undefined;
    out.hosts.push({
      name: inp.name,
      implied: !inp.host,
      computers: computersOf(inp.counts),
      events: inp.counts.reduce((n, c) => n + c.count, 0),
      channels: [...index.values()]
        .map((c) => ({ channel: c.name, events: c.total, eventIds: c.ids.size }))
        .sort((a, b) => b.events - a.events || a.channel.localeCompare(b.channel)),
      ...(window.first ? { first: window.first } : {}),
      ...(window.last ? { last: window.last } : {}),
      ...(window.note ? { window: window.note } : {}),
      counts,
      judged,
      observedShare: percent(counts.observed, judged),
      ...(empties.length ? { emptyFields: empties } : {}),
      ...(settings?.inferred.length ? { inferred: settings.inferred } : {}),
      ...(settings?.conflicts.length ? { conflicts: settings.conflicts } : {}),
    });
  }
  return out;
}

/** The distinct computer names, sorted (a loop into a Set: no array per count). */
function computersOf(counts: ObservedCount[]): string[] {
  const names = new Set<string>();
  for (const c of counts) if (c.computer) names.add(c.computer);
  return [...names].sort();
}

function indexCounts(counts: ObservedCount[]): ChannelIndex {
  const index: ChannelIndex = new Map();
  for (const c of counts) {
    const key = channelKey(c.channel);
    let ch = index.get(key);
    if (!ch) index.set(key, (ch = { name: c.channel, total: 0, ids: new Map() }));
    ch.total += c.count;
    const e = ch.ids.get(c.eventId);
    if (!e)
      ch.ids.set(c.eventId, {
        channel: c.channel,
        eventId: c.eventId,
        count: c.count,
        ...(c.first ? { first: c.first } : {}),
        ...(c.last ? { last: c.last } : {}),
      });
    else {
      e.count += c.count;
      if (c.first && (!e.first || c.first < e.first)) e.first = c.first;
      if (c.last && (!e.last || c.last > e.last)) e.last = c.last;
    }
  }
  return index;
}

/** The events seen for one branch event (channel-level: the channel's three most frequent IDs). */
function seenFor(ev: BranchEvent, index: ChannelIndex): SeenEvent[] {
  if (!ev.channel) return [];
  const ch = index.get(channelKey(ev.channel));
  if (!ch) return [];
  if (!ev.eventIds.length) return [...ch.ids.values()].sort((a, b) => b.count - a.count).slice(0, 3);
  return ev.eventIds.flatMap((id) => ch.ids.get(id) ?? []);
}

/** A requirement the inputs say is off: its name (or id) and why. */
type Off = { id: string; reason: string };

const eventKey = (ev: BranchEvent) => `${channelKey(ev.channel)}|${ev.eventIds.join(',')}`;

/**
 * A branch the inputs say cannot be produced at all: a producer or role that is off. Settings that only add
 * fields or narrow the objects (command line, SACLs, PowerShell logging policies) never contradict a count,
 * and an audit subcategory contradicts it only when every outcome the branch asks for is off.
 */
function offProducer(branch: string[], stateOf: EvidenceHostInput['stateOf']): Off | undefined {
  const audit = new Map<string, (Off & { off: boolean })[]>();
  for (const id of branch) {
    const st = stateOf(id);
    if (id.startsWith('audit:')) {
      const guid = id.split(':')[1] ?? '';
      audit.set(guid, [...(audit.get(guid) ?? []), { id: st?.name ?? id, reason: st?.reason ?? '', off: st?.state === 'off' }]);
    } else if (/^(sysmon|channel|role):/.test(id) && st?.state === 'off') return { id: st.name ?? id, reason: st.reason };
  }
  for (const sides of audit.values()) if (sides.every((s) => s.off)) return sides[0];
  return undefined;
}

function judge(
  r: EvidenceRule,
  ri: number,
  index: ChannelIndex,
  fieldIndex: FieldIndex,
  host: EvidenceHostInput | undefined,
  windowNote: string | undefined,
): RuleEvidence | undefined {
  if (!r.windows || r.unknownReason) return undefined;
  const all = [...r.branchEvents, ...r.supplementaryBranchEvents];
  if (!all.some((events) => events.some((e) => e.channel))) return undefined;
  const verdict = host?.verdicts[ri];
  const stateOf = host?.stateOf ?? (() => undefined);
  // Branches whose role the host lacks never occur there: they are not expected to be seen.
  const live = (branches: string[][], i: number) => !branches[i]?.some((id) => id.startsWith('role:') && stateOf(id)?.state === 'off');

  const seenByKey = new Map<string, SeenEvent[]>();
  const seenOf = (ev: BranchEvent) => {
    const k = eventKey(ev);
    let s = seenByKey.get(k);
    if (!s) seenByKey.set(k, (s = seenFor(ev, index)));
    return s;
  };
  let best: { seen: number; unseen: BranchEvent[] } | undefined;
  let observed = false;
  // Field evidence: a fully seen alternative whose events lack a field the rule reads is observed without
  // fields; one without any lack is observed, its fields examined only when every branch's records were.
  let starved: EmptyField[] | undefined;
  let fields: { present: string[]; unjudged: string[] } | undefined;
  const read = dataFields(r.fields);
  r.branchEvents.forEach((events, ai) => {
    const branches = r.branches[ai] ?? [];
    const expected = events.filter((_, bi) => live(branches, bi));
    if (!expected.length) return;
    const unseen = expected.filter((ev) => !seenOf(ev).length);
    if (!unseen.length) {
      const checks = expected.map((ev) => checkFields(ev, read, fieldIndex));
      const empty = checks.flatMap((c) => c.empty);
      if (empty.length) {
        if (!starved || empty.length < starved.length) starved = empty;
      } else {
        // A field is present for the alternative when one of its branches shows it, unjudged when none judged it.
        const present = [...new Set(checks.flatMap((c) => c.present))];
        const unjudged = read.filter((x) => !present.includes(x));
        // Over several observed alternatives, the one with the most fields shown present speaks.
        if (!fields || present.length > fields.present.length) fields = { present, unjudged };
        observed = true;
      }
    }
    const seen = expected.length - unseen.length;
    if (!best || seen > best.seen) best = { seen, unseen };
  });
  const anySeen = all.some((events) => events.some((ev) => seenOf(ev).length > 0));
  if (verdict === 'not-applicable' && !anySeen) return undefined;

  // Seen events every producing branch of which the inputs say is off.
  const contradictions: { ev: BranchEvent; off: Off }[] = [];
  if (host && anySeen) {
    const byKey = new Map<string, { ev: BranchEvent; offs: (Off | undefined)[] }>();
    const visit = (eventsList: BranchEvent[][], branchesList: string[][][]) =>
      eventsList.forEach((events, ai) =>
        events.forEach((ev, bi) => {
          if (!seenOf(ev).length) return;
          const k = eventKey(ev);
          const e = byKey.get(k) ?? { ev, offs: [] };
          e.offs.push(offProducer(branchesList[ai]?.[bi] ?? [], stateOf));
          byKey.set(k, e);
        }),
      );
    visit(r.branchEvents, r.branches);
    visit(r.supplementaryBranchEvents, r.supplementaryBranches);
    for (const { ev, offs } of byKey.values()) if (offs.every((o) => o)) contradictions.push({ ev, off: offs[0] as Off });
  }

  const seen = [...new Map([...seenByKey.values()].flat().map((s) => [`${channelKey(s.channel)}|${s.eventId}`, s])).values()]
    .sort((a, b) => b.count - a.count)
    .slice(0, 10);
  const state: EvidenceState = contradictions.length
    ? 'observed-despite-config'
    : observed
      ? 'observed'
      : starved
        ? 'observed-without-fields'
        : anySeen
          ? 'partly-observed'
          : verdict === 'ready' || verdict === 'partial'
            ? 'silent'
            : 'not-observed';
  const unseen = (best as { unseen: BranchEvent[] } | undefined)?.unseen ?? [];
  const nameOf = (id: string) => stateOf(id)?.name;
  const empty = state === 'observed-without-fields' ? starved : undefined;
  return {
    state,
    seen,
    unseen,
    why: explain({
      state,
      seen,
      unseen,
      verdict,
      contradictions,
      index,
      windowNote,
      ...(empty ? { empty } : {}),
      ...(state === 'observed' && fields && read.length ? { fields } : {}),
      nameOf,
    }),
    ...(empty ? { emptyFields: empty } : {}),
  };
}
