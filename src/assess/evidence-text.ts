/** Words for evidence: the window the observations cover, and why a rule has its evidence state. */
import type { ObservedCount } from '../observe/model.js';
import { channelKey } from '../observe/channels.js';
import type { BranchEvent } from '../requirements/sets.js';
import type { Verdict } from './verdict.js';
import { append } from '../lines.js';
import { emptyFieldText, type EmptyField } from './evidence-fields.js';

export type EvidenceState = 'observed' | 'observed-without-fields' | 'partly-observed' | 'silent' | 'observed-despite-config' | 'not-observed';

/** Events of one channel and ID seen, with their time range. */
export interface SeenEvent {
  channel: string;
  eventId: number;
  count: number;
  first?: string;
  last?: string;
}

/** Observed events per channel (lower-case key): its spelling, total and per-ID counts. */
export type ChannelIndex = Map<string, { name: string; total: number; ids: Map<number, SeenEvent> }>;

/** Below this span many legitimate events (weekly tasks, monthly patching, admin changes) may not occur. */
export const SHORT_WINDOW_DAYS = 7;
const DAY = 86_400_000;

/** The time range of a host's observations and, when it may hide events, why. */
export function windowOf(counts: ObservedCount[]): { first?: string; last?: string; note?: string } {
  let first: string | undefined;
  let last: string | undefined;
  for (const c of counts) {
    const f = c.first ?? c.last;
    const l = c.last ?? c.first;
    if (f && (!first || f < first)) first = f;
    if (l && (!last || l > last)) last = l;
  }
  if (!counts.length) return {};
  if (!first || !last) return { note: 'the observations carry no times: the window they cover is not known, and events rarer than it look silent' };
  const span = Date.parse(last) - Date.parse(first);
  if (span >= SHORT_WINDOW_DAYS * DAY) return { first, last };
  return {
    first,
    last,
    note: `the observations cover only ${spanText(span)} (${first.slice(0, 16).replace('T', ' ')} → ${last.slice(0, 16).replace('T', ' ')} UTC): events that occur weekly or less often may not be in them`,
  };
}

function spanText(ms: number): string {
  if (ms < 2 * 3_600_000) return `${Math.max(1, Math.round(ms / 60_000))} minute(s)`;
  if (ms < 2 * DAY) return `${Math.round(ms / 3_600_000)} hours`;
  return `${(ms / DAY).toFixed(1)} days`;
}

const n = (x: number) => x.toLocaleString('en-US');

/** "Security 4624 ×1,234 (2024-05-01 → 2024-05-08)" for up to four seen events. */
export function seenText(seen: SeenEvent[]): string {
  const parts = seen.slice(0, 4).map((s) => {
    const when = s.first && s.last ? ` (${s.first.slice(0, 10)}${s.last.slice(0, 10) !== s.first.slice(0, 10) ? ` → ${s.last.slice(0, 10)}` : ''})` : '';
    return `${s.channel} ${s.eventId} ×${n(s.count)}${when}`;
  });
  return parts.join(', ') + (seen.length > 4 ? ` and ${seen.length - 4} more` : '');
}

/** Unseen branch events by channel, each with whether its channel arrives at all. */
export function unseenText(unseen: BranchEvent[], index: ChannelIndex): string {
  const byChannel = new Map<string, { channel: string; ids: number[]; any: boolean }>();
  for (const ev of unseen) {
    const k = channelKey(ev.channel);
    const e = byChannel.get(k) ?? { channel: ev.channel || '(no channel)', ids: [], any: false };
    if (!ev.eventIds.length) e.any = true;
    append(e.ids, ev.eventIds);
    byChannel.set(k, e);
  }
  return [...byChannel.entries()]
    .map(([k, e]) => {
      const what = e.any ? `any ${e.channel} event` : `${e.channel} ${[...new Set(e.ids)].sort((a, b) => a - b).join(', ')}`;
      const ch = index.get(k);
      // Whether the channel arrives at all tells a collection gap from events that simply did not happen.
      return ch
        ? `${what} (the channel arrives: ${n(ch.total)} events of ${ch.ids.size} other ID(s))`
        : `${what} (no event of that channel arrives at all: is it collected and in the export?)`;
    })
    .join('; ');
}

export interface ExplainInput {
  state: EvidenceState;
  seen: SeenEvent[];
  unseen: BranchEvent[];
  verdict: Verdict | undefined;
  contradictions: { ev: BranchEvent; off: { id: string; reason: string } }[];
  index: ChannelIndex;
  windowNote: string | undefined;
  /** observed-without-fields: the fields the rule reads that the closest seen alternative's records lack. */
  empty?: EmptyField[];
  /** observed: the fields the rule reads that the records show present, and those no record was judged for. */
  fields?: { present: string[]; unjudged: string[] };
  /** A requirement's name for the report, when the host input gives one. */
  nameOf?: (id: string) => string | undefined;
}

/** How a rule that is not seen stands with the configuration, by its verdict. */
const NOT_SEEN: Record<string, string> = {
  blocked: 'not produced by the configuration, and not seen',
  unknown: 'the inputs do not tell whether it is produced, and it is not seen',
  'not-applicable': 'not seen',
  none: 'not seen',
};

/** "; fields present: Image; not examined: Hashes (…)": what an observed rule's fields are known to be. */
function fieldsText(f: { present: string[]; unjudged: string[] }): string {
  if (!f.present.length) return '; the fields the rule reads were not examined (no field evidence for them in the observations)';
  return `; fields present: ${f.present.join(', ')}${f.unjudged.length ? `; not examined: ${f.unjudged.join(', ')}` : ''}`;
}

export function explain(x: ExplainInput): string {
  const unseen = x.unseen.length ? unseenText(x.unseen, x.index) : '';
  switch (x.state) {
    case 'observed':
      // Never let "observed" read as "the rule has what it needs" when no record was examined for fields.
      return `seen: ${seenText(x.seen)}${x.fields ? fieldsText(x.fields) : ''}`;
    case 'observed-without-fields': {
      const e = x.empty ?? [];
      return `seen without fields the rule reads: ${e
        .slice(0, 3)
        .map((f) => emptyFieldText(f, x.nameOf))
        .join('; ')}${e.length > 3 ? ` (${e.length - 3} more)` : ''}; seen: ${seenText(x.seen)}`;
    }
    case 'partly-observed':
      return `seen: ${seenText(x.seen)}${unseen ? `; not seen: ${unseen}` : ' (only through a source that covers part of what the rule matches)'}`;
    case 'observed-despite-config': {
      const c = x.contradictions[0] as ExplainInput['contradictions'][number];
      // The name when the host input gives one ("Audit Special Logon Success"), else the requirement id.
      const ids = c.ev.eventIds.length ? ` ${c.ev.eventIds.join(', ')}` : '';
      return `${c.ev.channel}${ids} arrives although the inputs say ${c.off.id} is off${c.off.reason ? ` (${c.off.reason})` : ''}: the inputs are stale or incomplete${x.contradictions.length > 1 ? ` (${x.contradictions.length - 1} more such event(s))` : ''}`;
    }
    case 'silent':
      return [
        `configured on (verdict ${x.verdict}) but not seen: ${unseen || 'no event of the rule'}`,
        'this can be normal: many rules read events written only when what they watch happens',
        x.windowNote,
      ]
        .filter(Boolean)
        .join('; ');
    case 'not-observed':
      return [`${NOT_SEEN[x.verdict ?? 'none'] ?? 'not seen'}: ${unseen || 'no event of the rule'}`, x.windowNote].filter(Boolean).join('; ');
  }
}
