/**
 * Retention in time (issue 24): how long each log holds on a host, from its maximum size (gpresult's Event Log
 * settings, wevtutil gl maxSize) and the rate the evidence measures — now, and with the fixes added:
 *   days now   = maximum size ÷ the log's measured bytes/day on that host;
 *   days after = maximum size ÷ (bytes/day now + the measured bytes/day (median over hosts) of each fix that
 *                writes into the log and whose events this host does not log yet).
 * A fix with no measured size is not pretended away: the figure becomes "at most" and says for how many fixes it
 * is unknown (what they add can only shorten it). A log the fixes would bring under a day gets a warning.
 */
import { channelKey } from '../observe/channels.js';
import { computerKey } from './evidence.js';
import { bytesText, MeasuredIndex, type RequirementEvents } from './measured-cost.js';

/** One host's known log sizes (HostEnvironment.eventLogs, kept small while the hosts stream by). */
export interface HostLogSizes {
  name: string;
  logs: { log: string; maxKB: number; source: string }[];
}

export interface LogRetention {
  host: string;
  log: string;
  maxKB: number;
  /** The input that gives the size. */
  sizeSource: string;
  /** Measured today on this host; absent: nowUnknown says why. */
  now?: { bytesPerDay: number; days: number };
  nowUnknown?: string;
  /** Fixes that write events this host does not log yet into this log. */
  fixes: number;
  /** Of those, fixes the evidence gives no size for. */
  unmeasured: number;
  /** Measured bytes/day those fixes add (median over the hosts where each is on). */
  addedBytesPerDay: number;
  /** With the fixes: atMost when a part is unknown (the unknown part can only shorten it). */
  after?: { days: number; atMost: boolean };
  warning?: string;
  text: string;
}

const DAY = 1;

/** Per host and log whose size is known and that the evidence or the fixes touch. `fixes`: each fix's requirement ids. */
export function retention(index: MeasuredIndex, hosts: HostLogSizes[], fixes: { requires: string[] }[], word = 'fix'): LogRetention[] {
  const out: LogRetention[] = [];
  const fixEvents = fixes.map((f) => f.requires.map((id) => index.eventsOf([id]).events));
  for (const h of hosts) {
    // Records without a computer stand for the host only when there is one host to give them to.
    const key = index.hosts.has(computerKey(h.name)) ? computerKey(h.name) : hosts.length === 1 && index.hosts.has('') ? '' : computerKey(h.name);
    for (const l of h.logs) {
      const r = logRetention(index, key, h.name, l, fixEvents, word);
      if (r) out.push(r);
    }
  }
  return out;
}

function logRetention(
  index: MeasuredIndex,
  key: string,
  host: string,
  l: HostLogSizes['logs'][number],
  fixEvents: RequirementEvents[][][],
  word: string,
): LogRetention | undefined {
  const ck = channelKey(l.log);
  const maxBytes = l.maxKB * 1024;
  const nowRate = index.channelRate(key, l.log);
  // Event IDs already counted for this log (the host logs them today, or an earlier fix adds them); 'all': the whole channel.
  const counted = new Set<number>();
  let all = false;
  let fixes = 0;
  let unmeasured = 0;
  let added = 0;
  for (const perId of fixEvents) {
    let touches = false;
    let unknown = false;
    for (const events of perId) {
      const mine = events.filter((e) => channelKey(e.channel) === ck);
      if (!mine.length) continue;
      // Events this host already logs are in "now" (a fix can be on here and off elsewhere).
      if (index.hostRate(key, mine) !== undefined) continue;
      if (all) continue;
      const ids = mine.some((e) => !e.eventIds) ? undefined : [...new Set(mine.flatMap((e) => e.eventIds ?? []))].filter((x) => !counted.has(x));
      if (ids && !ids.length) continue;
      touches = true;
      const m = index.measureEvents([{ channel: l.log, ...(ids ? { eventIds: ids } : {}) }]);
      if (m.bytesPerDay) added += m.bytesPerDay.median;
      else unknown = true;
      if (ids) for (const x of ids) counted.add(x);
      else all = true;
    }
    if (touches) fixes++;
    if (unknown) unmeasured++;
  }
  // Nothing to say of a log the evidence never shows and no fix writes into.
  if (!fixes && index.hostRate(key, [{ channel: l.log }]) === undefined) return undefined;
  const size = `${l.log} ${bytesText(maxBytes)} on ${host}`;
  const base = { host, log: l.log, maxKB: l.maxKB, sizeSource: l.source, fixes, unmeasured, addedBytesPerDay: added };
  const now = typeof nowRate === 'string' ? undefined : { bytesPerDay: nowRate.bytesPerDay, days: maxBytes / nowRate.bytesPerDay };
  const nowText = now ? `≈ ${durationText(now.days)} now` : `how long it holds now is not known (${nowRate as string})`;
  const unit = `${fixes} ${word}${fixes === 1 ? '' : word.endsWith('x') ? 'es' : 's'}`;
  let after: LogRetention['after'];
  // None of the fixes measured: "at most as long as now" says nothing; it is said to be unknown instead.
  if (fixes && added > 0) {
    const total = (now?.bytesPerDay ?? 0) + added;
    after = { days: maxBytes / total, atMost: unmeasured > 0 || !now };
  }
  const unknownText = unmeasured ? `; what ${unmeasured} of them add${unmeasured === 1 ? 's' : ''} is not measured` : '';
  const afterText = !fixes
    ? ''
    : after
      ? `, ${after.atMost ? 'at most ' : ''}≈ ${durationText(after.days)} with the ${unit}${unknownText}`
      : `, with the ${unit}: not known (${fixes === 1 ? 'it is not' : 'none of them is'} measured)`;
  const warning =
    after && after.days < DAY
      ? `${size} would hold ${after.atMost ? 'at most ' : ''}≈ ${durationText(after.days)} with the ${unit}, under a day: events roll over before a daily collection or review sees them; raise its maximum size first (logsource-check fix raises logs below the recommended size; a larger one is your call)`
      : undefined;
  return {
    ...base,
    ...(now ? { now } : { nowUnknown: nowRate as string }),
    ...(after ? { after } : {}),
    ...(warning ? { warning } : {}),
    text: `${size}: ${nowText}${afterText}`,
  };
}

/** "3.2 days", "22 hours", "40 minutes". */
export function durationText(days: number): string {
  const hours = days * 24;
  if (hours < 1) return `${Math.max(1, Math.round(hours * 60))} minutes`;
  if (hours < 48) return `${Math.round(hours)} hour${Math.round(hours) === 1 ? '' : 's'}`;
  return `${days.toFixed(1)} days`;
}

/** The sizes a host's inputs give (only logs with a known maximum). */
export function hostLogSizes(h: { name: string; eventLogs: Map<string, { maxSizeKB?: number; source: string }> }): HostLogSizes {
  const logs: HostLogSizes['logs'] = [];
  for (const [log, v] of h.eventLogs) if (v.maxSizeKB !== undefined && v.maxSizeKB > 0) logs.push({ log, maxKB: v.maxSizeKB, source: v.source });
  return { name: h.name, logs };
}

/** The ranked fixes as retention counts them: each fix's settings that are not on yet. */
export function fixesOf(recs: { requires: { id: string; state: string }[] }[]): { requires: string[] }[] {
  return recs.map((r) => ({ requires: r.requires.filter((q) => q.state !== 'on').map((q) => q.id) })).filter((f) => f.requires.length);
}

/** The settings written, as retention counts them: Success and Failure of one subcategory are one setting. */
export function settingFixes(ids: string[]): { requires: string[] }[] {
  const by = new Map<string, string[]>();
  for (const id of ids) {
    const key = id.startsWith('audit:') ? id.replace(/:(success|failure)$/, '') : id;
    by.set(key, [...(by.get(key) ?? []), id]);
  }
  return [...by.values()].map((requires) => ({ requires }));
}
