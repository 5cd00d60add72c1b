/**
 * What a collector forwards: per channel, the event IDs that surely pass ("sure") and those that may pass
 * depending on fields it filters on that we do not evaluate ("possible" — Level, Provider, EventData …).
 * Event IDs are 0–65535, kept as sorted disjoint ranges.
 */

export type Ranges = [number, number][];

export const ALL: Ranges = [[0, 65535]];
export const NONE: Ranges = [];

export function normalize(r: Ranges): Ranges {
  const s = r
    .filter(([a, b]) => a <= b)
    .map(([a, b]) => [Math.max(0, a), Math.min(65535, b)] as [number, number])
    .sort((x, y) => x[0] - y[0]);
  const out: Ranges = [];
  for (const [a, b] of s) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

export const union = (a: Ranges, b: Ranges): Ranges => normalize([...a, ...b]);

export function intersect(a: Ranges, b: Ranges): Ranges {
  const out: Ranges = [];
  for (const [a1, a2] of a) for (const [b1, b2] of b) if (Math.max(a1, b1) <= Math.min(a2, b2)) out.push([Math.max(a1, b1), Math.min(a2, b2)]);
  return normalize(out);
}

export function complement(a: Ranges): Ranges {
  const out: Ranges = [];
  let next = 0;
  for (const [x, y] of normalize(a)) {
    if (x > next) out.push([next, x - 1]);
    next = y + 1;
  }
  if (next <= 65535) out.push([next, 65535]);
  return out;
}

export const minus = (a: Ranges, b: Ranges): Ranges => intersect(a, complement(b));
export const contains = (r: Ranges, id: number): boolean => r.some(([a, b]) => id >= a && id <= b);
export const isAll = (r: Ranges): boolean => r.length === 1 && r[0]?.[0] === 0 && r[0][1] === 65535;

/** "4624, 4700-4800" */
export function formatRanges(r: Ranges): string {
  if (isAll(r)) return 'all';
  if (!r.length) return 'none';
  return r.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`)).join(', ');
}

/** Event IDs that pass when the event's provider (lower case) and level are among those named (absent: any). */
export interface ForwardCondition {
  ids: Ranges;
  providers?: string[];
  levels?: number[];
}

export interface ChannelForward {
  channel: string;
  sure: Ranges;
  possible: Ranges;
  /** Possible events that are sure for a known provider and level (System[Provider… and Level… and EventID…]). */
  conditions?: ForwardCondition[];
  /** Why "possible" exceeds "sure": the filters we cannot evaluate. */
  reasons: string[];
  /** Which collector inputs forward it. */
  sources: string[];
  /** Event IDs a query selects but a processor surely drops (Elastic Agent, Winlogbeat): said as dropped, not as "not in any query". */
  dropped?: { ids: Ranges; by: string }[];
}

/** The key of a forward that covers every channel (NXLog's im_msvistalog without Channel or Query). */
export const ANY_CHANNEL = '*';

/** Everything the given collector configs forward, by lower-case channel name. */
export type ForwardedSet = Map<string, ChannelForward>;

export function addForward(
  set: ForwardedSet,
  channel: string,
  sure: Ranges,
  possible: Ranges,
  reasons: string[],
  source: string,
  conditions?: ForwardCondition[],
): void {
  const key = channel.toLowerCase();
  const cur: ChannelForward = set.get(key) ?? { channel, sure: NONE, possible: NONE, reasons: [], sources: [] };
  if (conditions?.length) cur.conditions = [...(cur.conditions ?? []), ...conditions];
  cur.sure = union(cur.sure, sure);
  cur.possible = union(cur.possible, union(possible, sure));
  for (const r of reasons) if (!cur.reasons.includes(r)) cur.reasons.push(r);
  if (!cur.sources.includes(source)) cur.sources.push(source);
  set.set(key, cur);
}

/** Records that `by` surely drops these selected IDs (they are not in the channel's forward unless another input sends them). */
export function addDropped(set: ForwardedSet, channel: string, ids: Ranges, by: string): void {
  if (!ids.length) return;
  const key = channel.toLowerCase();
  const cur: ChannelForward = set.get(key) ?? { channel, sure: NONE, possible: NONE, reasons: [], sources: [] };
  (cur.dropped ??= []).push({ ids, by });
  set.set(key, cur);
}

/** "4688 dropped by …" for the missing IDs a processor drops; the rest stay "not in any forwarded query". */
function droppedDetail(f: ChannelForward, channel: string, missing: number[]): { text: string; rest: number[] } {
  const parts: string[] = [];
  let rest = missing;
  for (const d of f.dropped ?? []) {
    const hit = rest.filter((id) => contains(d.ids, id));
    if (!hit.length) continue;
    parts.push(`${channel} ${hit.join(', ')} dropped by ${d.by}`);
    rest = rest.filter((id) => !hit.includes(id));
  }
  return { text: parts.join('; '), rest };
}

export type ForwardState = 'yes' | 'partial' | 'no';

/**
 * What is known of one event the rule reads: the providers it may come from (the rule's Provider_Name values for
 * that EventID; empty: any provider) and the level each provider writes it with (data/channels.yaml levels).
 */
export interface EventFacts {
  providers: (id: number) => string[];
  level: (id: number, provider: string) => number | undefined;
}

/** Sure by a condition: every provider the rule's event may come from is named, each with its known level. */
function passesCondition(f: ChannelForward, id: number, facts: EventFacts | undefined): boolean {
  if (!facts || !f.conditions?.length) return false;
  const providers = facts.providers(id);
  if (!providers.length) return false;
  return providers.every((p) => {
    const lower = p.toLowerCase();
    return f.conditions!.some((c) => {
      if (!contains(c.ids, id)) return false;
      if (c.providers && !c.providers.includes(lower)) return false;
      if (!c.levels) return true;
      const level = facts.level(id, p);
      return level !== undefined && c.levels.includes(level);
    });
  });
}

/** Is this event of this channel forwarded? `ids` empty means "any event of the channel". */
export function forwardState(set: ForwardedSet, channel: string, ids: number[], facts?: EventFacts): { state: ForwardState; detail: string } {
  const f = set.get(channel.toLowerCase()) ?? set.get(ANY_CHANNEL);
  if (f && !f.possible.length && f.dropped?.length && ids.length) {
    const d = droppedDetail(f, channel, ids);
    return { state: 'no', detail: [d.text, d.rest.length ? `${channel} ${d.rest.join(', ')} not in any forwarded query` : ''].filter(Boolean).join('; ') };
  }
  if (!f || !f.possible.length) return { state: 'no', detail: `${channel}: not in any forwarded query` };
  if (!ids.length) {
    if (isAll(f.sure)) return { state: 'yes', detail: `${channel}: all events forwarded` };
    return { state: 'partial', detail: `${channel}: only event IDs ${formatRanges(f.sure)} forwarded${f.reasons.length ? ` (${f.reasons.join('; ')})` : ''}` };
  }
  const byCondition = ids.filter((id) => !contains(f.sure, id) && passesCondition(f, id, facts));
  const sure = ids.filter((id) => contains(f.sure, id) || byCondition.includes(id));
  const maybe = ids.filter((id) => !sure.includes(id) && contains(f.possible, id));
  const missing = ids.filter((id) => !contains(f.possible, id));
  if (sure.length === ids.length)
    return {
      state: 'yes',
      detail: `${channel} ${ids.join(', ')} forwarded${byCondition.length ? ` (the query's Provider and Level filters match ${byCondition.join(', ')})` : ''}`,
    };
  const parts = [];
  const dropped = droppedDetail(f, channel, missing);
  if (dropped.text) parts.push(dropped.text);
  if (dropped.rest.length) parts.push(`${channel} ${dropped.rest.join(', ')} not in any forwarded query`);
  if (maybe.length) parts.push(`${channel} ${maybe.join(', ')} forwarded only in part (${f.reasons.join('; ')})`);
  return { state: sure.length || maybe.length ? 'partial' : 'no', detail: parts.join('; ') };
}
