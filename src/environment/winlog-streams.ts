/**
 * One Windows event log entry as Winlogbeat (`winlogbeat.event_logs[]`) and Elastic Agent's winlog input
 * (`inputs[].streams[]`) both write it: name (a channel), event_id include/exclude list, provider, level,
 * ignore_older, xml_query and processors. Both readers share this so that the two never disagree.
 */
import { ALL, NONE, addDropped, addForward, intersect, minus, normalize, type ForwardedSet, type Ranges } from './forwarded.js';
import { readQueryList } from './querylist.js';
import { afterDrop, droppedBy, type IdMatch } from './beats-processors.js';
import { append } from '../lines.js';
import { scalar } from './scalar.js';

/** "4624, 4700-4800, -4735" → included minus excluded; empty → all. */
export function parseEventIdList(spec: string): { include: Ranges; exclude: Ranges } {
  const include: Ranges = [];
  const exclude: Ranges = [];
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const neg = part.startsWith('-');
    const body = neg ? part.slice(1).trim() : part;
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(body);
    if (!m) throw new Error(`event_id "${part}" is neither an ID, a range nor an exclusion`);
    const r: [number, number] = [Number(m[1]), Number(m[2] ?? m[1])];
    (neg ? exclude : include).push(r);
  }
  return { include: include.length ? normalize(include) : ALL, exclude: normalize(exclude) };
}

/**
 * Entries are gathered per channel and merged once: adding 40,000 entries of one channel one by one
 * re-normalised a growing range list each time (quadratic).
 */
export class ChannelBatch {
  private readonly byChannel = new Map<string, { name: string; sure: Ranges; possible: Ranges; reasons: Set<string>; labels: string[] }>();

  add(name: string, sure: Ranges, possible: Ranges, reasons: string[], label: string): void {
    const b = this.byChannel.get(name.toLowerCase()) ?? { name, sure: [], possible: [], reasons: new Set<string>(), labels: [] };
    append(b.sure, sure);
    append(b.possible, possible);
    reasons.forEach((r) => b.reasons.add(r));
    if (b.labels.length < 20) b.labels.push(label);
    this.byChannel.set(name.toLowerCase(), b);
  }

  private readonly drops: [string, Ranges, string][] = [];

  /** Selected IDs a processor surely drops; recorded after the forwards so that the detail can name it. */
  dropped(name: string, ids: Ranges, by: string): void {
    if (ids.length && this.drops.length < 1000) this.drops.push([name, ids, by]);
  }

  flush(into: ForwardedSet): void {
    for (const [name, ids, by] of this.drops) addDropped(into, name, ids, by);
    for (const b of this.byChannel.values())
      addForward(into, b.name, normalize(b.sure), normalize(b.possible), [...b.reasons], b.labels.join(', ') + (b.labels.length >= 20 ? ', …' : ''));
  }
}

/** What applies to an entry from outside it: processors of the file or input, a condition we cannot evaluate. */
export interface Outer {
  drop: IdMatch;
  reasons: string[];
}

export const NO_OUTER: Outer = { drop: { sure: NONE, possible: NONE, reasons: [] }, reasons: [] };

export function readWinlogEntry(
  e: Record<string, unknown>,
  label: string,
  into: ForwardedSet,
  batch: ChannelBatch,
  notes: string[],
  outer: Outer = NO_OUTER,
): void {
  const own = droppedBy(e['processors'], `${label} processors`);
  const drop: IdMatch = {
    sure: normalize([...outer.drop.sure, ...own.sure]),
    possible: normalize([...outer.drop.possible, ...own.possible]),
    reasons: [...outer.drop.reasons, ...own.reasons],
  };
  if (e['ignore_older'] !== undefined) notes.push(`${label}: ignore_older ${scalar(e['ignore_older'])} skips older events at start-up`);
  if (typeof e['xml_query'] === 'string') {
    const temp: ForwardedSet = new Map();
    append(notes, readQueryList(e['xml_query'], label, temp));
    for (const f of temp.values()) {
      const kept = afterDrop(f.sure, f.possible, drop);
      addDropped(into, f.channel, intersect(f.possible, drop.sure), `${label} processors (drop_event)`);
      const conditions = f.conditions?.map((c) => ({ ...c, ids: minus(c.ids, drop.possible) })).filter((c) => c.ids.length);
      addForward(into, f.channel, kept.sure, kept.possible, [...f.reasons, ...outer.reasons, ...drop.reasons], label, conditions);
    }
    return;
  }
  const name = typeof e['name'] === 'string' ? e['name'] : undefined;
  if (!name) {
    notes.push(`${label} has no name; ignored`);
    return;
  }
  if (/[\\/].*\.evtx$/i.test(name) || /^[a-z]:\\/i.test(name)) {
    notes.push(`${label} reads the file ${name}, not a live channel`);
    return;
  }
  const ids = e['event_id'] === undefined || e['event_id'] === null ? { include: ALL, exclude: NONE } : parseEventIdList(scalar(e['event_id']));
  const reasons = [...outer.reasons];
  if (e['provider'] !== undefined) reasons.push('provider filter');
  if (e['level'] !== undefined) reasons.push('level filter');
  const passed = minus(ids.include, ids.exclude);
  const kept = afterDrop(reasons.length ? NONE : passed, passed, drop);
  batch.dropped(name, intersect(passed, drop.sure), `${label} processors (drop_event)`);
  batch.add(name, kept.sure, kept.possible, [...reasons, ...drop.reasons], label);
}
