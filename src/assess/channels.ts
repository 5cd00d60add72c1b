/** What the collectors ship, per channel and per rule alternative. */
import type { Catalog } from '../catalog/catalog.js';
import { contains, formatRanges, forwardState, type EventFacts, type ForwardedSet, type ForwardState } from '../environment/forwarded.js';
import { levelOf } from '../catalog/channel-facts.js';
import { originReads } from '../requirements/reads.js';
import type { AssessRule } from './counts.js';

export interface ChannelReport {
  channel: string;
  /** Event IDs the rules need from it; "any" when some rule matches any event of the channel. */
  needed: number[] | 'any';
  forwarded: string;
  missing: number[];
  /** Rules reading this channel whose events are not all forwarded. */
  rulesAffected: number;
}

/** Needed vs forwarded per channel, over every alternative of every assessable rule. */
export function channelReport(rules: AssessRule[], catalog: Catalog, set: ForwardedSet): ChannelReport[] {
  const byChannel = new Map<string, { channel: string; ids: Set<number>; any: boolean; affected: Set<number> }>();
  rules.forEach((r, ri) => {
    if (r.unknownReason || r.kind !== 'rule') return;
    for (const [i, name] of r.origins.entries()) {
      const found = originReads(catalog, r.logsourceKey, r.eventIds, name);
      if (!found) continue;
      const reads = { channel: found.channel, ids: shipped(r, i, found) };
      const key = reads.channel.toLowerCase();
      const c = byChannel.get(key) ?? { channel: reads.channel, ids: new Set<number>(), any: false, affected: new Set<number>() };
      if (!reads.ids.length) c.any = true;
      for (const id of reads.ids) c.ids.add(id);
      if (forwardState(set, reads.channel, reads.ids, eventFacts(r, reads.channel, catalog)).state !== 'yes') c.affected.add(ri);
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
        forwarded: f
          ? formatRanges(f.sure) === formatRanges(f.possible)
            ? formatRanges(f.sure)
            : `${formatRanges(f.sure)} (possibly ${formatRanges(f.possible)}: ${f.reasons.join('; ')})`
          : 'none',
        missing: needed.filter((id) => !f || !contains(f.possible, id)),
        rulesAffected: c.affected.size,
      };
    })
    .sort((a, b) => b.rulesAffected - a.rulesAffected || a.channel.localeCompare(b.channel));
}

/** Per alternative of a rule: the channel its events come from and whether the collectors ship them. */
export function forwardNeeds(r: AssessRule, catalog: Catalog, set: ForwardedSet): ({ channel: string; state: ForwardState; detail: string } | undefined)[] {
  return r.origins.map((name, i) => {
    const reads = originReads(catalog, r.logsourceKey, r.eventIds, name);
    if (!reads) return undefined;
    return { channel: reads.channel, ...forwardState(set, reads.channel, shipped(r, i, reads), eventFacts(r, reads.channel, catalog)) };
  });
}

/**
 * The events of alternative i that must be shipped: those its branches produce. An EventID no source writes
 * (517, the pre-Vista "audit log cleared") has no branch, and its absence from a query loses nothing.
 */
function shipped(r: AssessRule, i: number, reads: { channel: string; ids: number[] }): number[] {
  const events = r.branchEvents?.[i];
  if (!events || !reads.ids.length || events.some((e) => !e.eventIds.length)) return reads.ids;
  const channel = reads.channel.toLowerCase();
  const produced = new Set(events.flatMap((e) => (e.channel.toLowerCase() === channel ? e.eventIds : [])));
  const ids = reads.ids.filter((id) => produced.has(id));
  return ids.length ? ids : reads.ids;
}

/** The rule's providers per event and the levels real captures show, for queries that filter on them. */
function eventFacts(r: AssessRule, channel: string, catalog: Catalog): EventFacts | undefined {
  const by = r.eventProviders;
  if (!by) return undefined;
  return { providers: (id) => by[String(id)] ?? [], level: (id, provider) => levelOf(catalog.channelFacts, channel, provider, id) };
}
