/**
 * Measured cost (issue 24): what a setting costs on hosts where it is on, from the evidence (--observed), beside
 * the catalog's volume class. A requirement's events are the (channel, event ID) kinds the catalog attributes to
 * it (data/audit.yaml events per subcategory and outcome, data/sysmon.yaml per event type, data/policies.yaml
 * produces, a channel's every event); per host its rate is their count ÷ the time span of that host's records of
 * the channel. Median and 90th percentile over hosts, with the number of hosts. Nothing is estimated:
 *  - a host counts only when its evidence has at least one of the events (its logs prove the setting on there;
 *    a host that has it on but logged none in the window is not seen as such, so the figure leans high);
 *  - a window under an hour, or records without times, gives no rate ("not measurable");
 *  - bytes/day only from record sizes the evidence carries (EVTX; a SIEM export's byte column), never invented.
 */
import { splitRequirement, type Catalog } from '../catalog/catalog.js';
import { channelKey } from '../observe/channels.js';
import type { Observations } from '../observe/model.js';
import { computerKey } from './evidence.js';

export const SYSMON_CHANNEL = 'Microsoft-Windows-Sysmon/Operational';
/** A window shorter than this gives no rate: an hour of a busy morning is not a day. */
export const MIN_WINDOW_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Figures kept per run (each is a few hundred bytes); past it the memo starts over. */
const MEMO_MAX = 10_000;
export const MB = 1_048_576;
/** How the window is taken (said in every report that shows a figure). */
export const WINDOW_TEXT =
  'per host, over the time span of its records of the channel (last − first); hosts whose window is under 1 hour or without times are not measurable';

/** The events a requirement adds: per channel, its event IDs (undefined: every event of the channel). */
export interface RequirementEvents {
  channel: string;
  eventIds?: number[];
}

export interface Stat {
  median: number;
  p90: number;
}

export interface MeasuredCost {
  /** Hosts whose rate was measured. */
  hosts: number;
  eventsPerDay?: Stat;
  /** Only over hosts whose every counted record has a size. */
  bytesPerDay?: Stat & { hosts: number };
  /** Hosts that have its events but a window under an hour or without times. */
  notMeasurable: number;
  /** The events it is counted from. */
  events: RequirementEvents[];
  /** Events it shares with other settings ("4688 also written by Audit Process Creation"): counted in each figure. */
  shared: string[];
  /** Why there is no figure (no events seen, windows too short, an id without attributable events). */
  note?: string;
}

/** The (channel, event IDs) the catalog says a requirement writes, and events another setting writes too. */
export function requirementEvents(id: string, catalog: Catalog): { events: RequirementEvents[]; shared: string[]; note?: string } {
  const [kind, rest = ''] = splitRequirement(id);
  if (kind === 'audit') {
    const [guid = '', outcome] = rest.split(':');
    const sub = catalog.subcategory(guid);
    if (!sub) return { events: [], shared: [], note: 'not in the catalog' };
    // Events logged whatever the setting ("regardless") are not what turning it on adds.
    const ids = sub.events.filter((e) => !e.regardless && (e.outcome === 'both' || e.outcome === 'unspecified' || e.outcome === outcome)).map((e) => e.id);
    return { events: ids.length ? [{ channel: 'Security', eventIds: [...new Set(ids)] }] : [], shared: sharedAudit(ids, sub.guid, catalog) };
  }
  if (kind === 'sysmon') return { events: [{ channel: SYSMON_CHANNEL, eventIds: [Number(rest)] }], shared: [] };
  if (kind === 'policy') {
    const p = catalog.policy(rest);
    const events = (p?.produces ?? []).filter((x) => x.events.length).map((x) => ({ channel: x.channel, eventIds: x.events }));
    const security = events.filter((e) => e.channel === 'Security').flatMap((e) => e.eventIds);
    return { events, shared: sharedAudit(security, '', catalog), ...(events.length ? {} : { note: 'it writes no event of its own' }) };
  }
  if (kind === 'channel') return { events: [{ channel: rest }], shared: [] };
  if (kind === 'sacl') return { events: [], shared: [], note: "its events follow the objects the SACL covers (the subcategory's figure applies)" };
  if (kind === 'forward') return { events: [], shared: [], note: 'a collector change adds no event on the host' };
  return { events: [], shared: [], note: 'no events attributed' };
}

function sharedAudit(ids: number[], own: string, catalog: Catalog): string[] {
  const out: string[] = [];
  for (const id of ids) {
    const others = [
      ...new Set(
        catalog
          .auditProducers(id)
          .map((p) => p.subcategory)
          .filter((s) => s.guid !== own)
          .map((s) => s.name),
      ),
    ];
    if (others.length) out.push(`${id} also written by ${others.join(', ')}`);
  }
  return out;
}

interface ChannelSeen {
  first?: string;
  last?: string;
  events: number;
  /** Sum of sizes; undefined once a count has none. */
  bytes?: number;
  byId: Map<number, { count: number; bytes?: number }>;
}

/** The evidence by host (short computer name; '' for records without one) and channel. */
export class MeasuredIndex {
  readonly hosts = new Map<string, { name: string; channels: Map<string, ChannelSeen> }>();
  private readonly memo = new Map<string, MeasuredCost>();

  constructor(
    obs: Pick<Observations, 'counts'>,
    readonly catalog: Catalog,
  ) {
    for (const c of obs.counts) {
      const key = c.computer ? computerKey(c.computer) : '';
      let h = this.hosts.get(key);
      if (!h) this.hosts.set(key, (h = { name: c.computer ?? '(records without a computer)', channels: new Map() }));
      const ck = channelKey(c.channel);
      let s = h.channels.get(ck);
      if (!s) h.channels.set(ck, (s = { events: 0, bytes: 0, byId: new Map() }));
      s.events += c.count;
      s.bytes = s.bytes === undefined || c.bytes === undefined ? undefined : s.bytes + c.bytes;
      const f = c.first ?? c.last;
      const l = c.last ?? c.first;
      if (f && (!s.first || f < s.first)) s.first = f;
      if (l && (!s.last || l > s.last)) s.last = l;
      const e = s.byId.get(c.eventId);
      if (!e) s.byId.set(c.eventId, { count: c.count, ...(c.bytes !== undefined ? { bytes: c.bytes } : {}) });
      else {
        e.count += c.count;
        e.bytes = e.bytes === undefined || c.bytes === undefined ? undefined : e.bytes + c.bytes;
      }
    }
  }

  /** The union of several requirements' events (a fix of two settings, or Success and Failure of one). */
  eventsOf(ids: string[]): { events: RequirementEvents[]; shared: string[]; notes: string[] } {
    const by = new Map<string, { channel: string; ids?: Set<number> }>();
    const shared = new Set<string>();
    const notes: string[] = [];
    for (const id of ids) {
      const r = requirementEvents(id, this.catalog);
      for (const s of r.shared) shared.add(s);
      if (r.note) notes.push(r.note);
      for (const e of r.events) {
        const k = channelKey(e.channel);
        const cur = by.get(k);
        if (!cur) by.set(k, { channel: e.channel, ...(e.eventIds ? { ids: new Set(e.eventIds) } : {}) });
        else if (!e.eventIds || !cur.ids) delete cur.ids;
        else for (const x of e.eventIds) cur.ids.add(x);
      }
    }
    const events = [...by.values()].map((v) => ({ channel: v.channel, ...(v.ids ? { eventIds: [...v.ids].sort((a, b) => a - b) } : {}) }));
    return { events, shared: [...shared], notes };
  }

  /** A host's rate of these events: undefined when it has none of them; 'short' when its window cannot give one. */
  hostRate(hostKey: string, events: RequirementEvents[]): { eventsPerDay: number; bytesPerDay?: number } | 'short' | undefined {
    const h = this.hosts.get(hostKey);
    if (!h) return undefined;
    let perDay = 0;
    let bytesPerDay: number | undefined = 0;
    let seen = false;
    for (const e of events) {
      const s = h.channels.get(channelKey(e.channel));
      if (!s) continue;
      let n = 0;
      let bytes: number | undefined = 0;
      if (!e.eventIds) {
        n = s.events;
        bytes = s.bytes;
      } else {
        for (const id of e.eventIds) {
          const x = s.byId.get(id);
          if (!x) continue;
          n += x.count;
          bytes = bytes === undefined || x.bytes === undefined ? undefined : bytes + x.bytes;
        }
      }
      if (!n) continue;
      seen = true;
      const ms = s.first && s.last ? Date.parse(s.last) - Date.parse(s.first) : NaN;
      if (!Number.isFinite(ms) || ms < MIN_WINDOW_MS) return 'short';
      const days = ms / DAY_MS;
      perDay += n / days;
      bytesPerDay = bytesPerDay === undefined || bytes === undefined ? undefined : bytesPerDay + bytes / days;
    }
    if (!seen) return undefined;
    return { eventsPerDay: perDay, ...(bytesPerDay !== undefined ? { bytesPerDay } : {}) };
  }

  /** A channel's whole rate on one host (what the log takes today), or why there is none. */
  channelRate(hostKey: string, channel: string): { bytesPerDay: number; eventsPerDay: number } | string {
    const r = this.hostRate(hostKey, [{ channel }]);
    if (r === undefined) return 'no records of it in the evidence';
    if (r === 'short') return 'its records span under 1 hour or have no times';
    if (r.bytesPerDay === undefined) return 'the evidence has no record sizes (an EVTX export of the log has them)';
    return { bytesPerDay: r.bytesPerDay, eventsPerDay: r.eventsPerDay };
  }

  /** Median and p90 over the hosts where the requirements' events are seen. */
  measure(ids: string[]): MeasuredCost {
    const { events, shared, notes } = this.eventsOf(ids);
    return this.measureEvents(events, shared, notes);
  }

  /** The same for events given directly (the part of a fix that writes into one log). */
  measureEvents(events: RequirementEvents[], shared: string[] = [], notes: string[] = []): MeasuredCost {
    // Each figure goes over every host: retention asks for the same few per host of a fleet, so they are kept.
    const key = JSON.stringify([events, shared, notes]);
    const known = this.memo.get(key);
    if (known) return known;
    if (this.memo.size >= MEMO_MAX) this.memo.clear();
    const m = this.compute(events, shared, notes);
    this.memo.set(key, m);
    return m;
  }

  private compute(events: RequirementEvents[], shared: string[], notes: string[]): MeasuredCost {
    if (!events.length) return { hosts: 0, notMeasurable: 0, events, shared, note: notes[0] ?? 'no events attributed' };
    const rates: number[] = [];
    const bytes: number[] = [];
    let short = 0;
    for (const key of this.hosts.keys()) {
      const r = this.hostRate(key, events);
      if (r === undefined) continue;
      if (r === 'short') {
        short++;
        continue;
      }
      rates.push(r.eventsPerDay);
      if (r.bytesPerDay !== undefined) bytes.push(r.bytesPerDay);
    }
    const base = { hosts: rates.length, notMeasurable: short, events, shared };
    if (!rates.length)
      return {
        ...base,
        note: short
          ? `not measurable: the records of ${short} host${short === 1 ? '' : 's'} span under 1 hour or have no times`
          : 'none of its events in the evidence',
      };
    return { ...base, eventsPerDay: stat(rates), ...(bytes.length ? { bytesPerDay: { ...stat(bytes), hosts: bytes.length } } : {}) };
  }
}

/** Median and 90th percentile, linear between the closest ranks ((n − 1) × p), as most tools compute them. */
export function stat(values: number[]): Stat {
  const a = [...values].sort((x, y) => x - y);
  return { median: quantile(a, 0.5), p90: quantile(a, 0.9) };
}

function quantile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

/** "12,000" (two significant figures from 100 up: a rate over a few hosts is not exact to the event). */
export function eventsText(n: number): string {
  const r = n >= 100 ? Number(n.toPrecision(2)) : n >= 10 ? Math.round(n) : Math.round(n * 10) / 10;
  return r.toLocaleString('en-US');
}

/** "13.7 MB", "850 KB" (binary units, as Windows gives log sizes). */
export function bytesText(b: number): string {
  if (b >= 100 * MB) return `${Math.round(b / MB).toLocaleString('en-US')} MB`;
  if (b >= MB) return `${(b / MB).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(b / 1024))} KB`;
}

/** "measured ≈ 12,000 events/day, 13.7 MB/day per host (median of 3 hosts; p90 17,000 events/day, 19.2 MB/day)". */
export function measuredText(m: MeasuredCost | undefined): string | undefined {
  if (!m) return undefined;
  if (!m.eventsPerDay) return `measured: ${m.note ?? 'no figure'}`;
  const b = m.bytesPerDay;
  const size = b ? `, ${bytesText(b.median)}/day` : '';
  const p90 = `p90 ${eventsText(m.eventsPerDay.p90)} events/day${b ? `, ${bytesText(b.p90)}/day` : ''}`;
  const of = m.hosts === 1 ? 'on 1 host' : `median of ${m.hosts} hosts; ${p90}`;
  const noBytes = b ? (b.hosts < m.hosts ? `; sizes from ${b.hosts} of them` : '') : '; no record sizes in the evidence';
  const short = m.notMeasurable ? `; ${m.notMeasurable} more with under 1 hour of records left out` : '';
  const shared = m.shared.length ? `; shared: ${m.shared.slice(0, 2).join('; ')}${m.shared.length > 2 ? ' …' : ''}` : '';
  return `measured ≈ ${eventsText(m.eventsPerDay.median)} events/day${size} per host (${of}${noBytes}${short}${shared})`;
}

/** "≈ 14,000 events/day, 11.0 MB/day per host, measured on 6 hosts": the short form beside a volume rating. */
export function measuredShort(m: MeasuredCost | undefined): string | undefined {
  if (!m) return undefined;
  if (!m.eventsPerDay) return m.notMeasurable ? 'not measurable (under 1 hour of records)' : 'not measured (none of its events in the evidence)';
  const b = m.bytesPerDay ? `, ${bytesText(m.bytesPerDay.median)}/day` : '';
  return `≈ ${eventsText(m.eventsPerDay.median)} events/day${b} per host, measured on ${m.hosts} host${m.hosts === 1 ? '' : 's'}`;
}
