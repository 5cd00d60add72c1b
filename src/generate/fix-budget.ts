/**
 * What the fix files add to the logs, said where the user decides to apply them: each file's header, the console
 * and README.txt.
 *  - per file: how many settings it turns on per host and their volume classes (the catalog's ratings on these
 *    hosts' computer types). Settings no source rates are written under any budget (a budget cannot weigh what
 *    nobody rated) and the line says so, so an unrated setting is never taken for a quiet one.
 *  - the budget: fix writes settings up to medium volume unless --max-volume says otherwise; what it left out is
 *    named with the rules that only those settings can make ready (counted per rule, not from the greedy list).
 *  - the Security log: its maximum size where an input gives it, how long it holds where an EVTX export of it
 *    shows the time span (--observed), otherwise which input would tell. No retention figure is ever estimated.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { VolumeClass, VolumeRating } from '../catalog/volume.js';
import { hostKey, type HostEnvironment } from '../environment/model.js';
import type { Observations } from '../observe/model.js';
import type { Readiness } from '../result/result.js';
import { describeRequirement } from '../requirements/describe.js';
import { settingNames } from '../assess/settings.js';

/** The budget fix applies when --max-volume is not given: high-volume settings only when asked for. */
export const FIX_DEFAULT_MAX_VOLUME: VolumeClass = 'medium';

const KB_PER_MB = 1024;

/** "4 settings on each host: 1 high (Audit SAM), 2 medium, 1 unrated (…)": one line for a file header. */
export function addsLine(ids: string[], volumeOf: (id: string) => VolumeRating, name: (id: string) => string): string {
  const by: Record<VolumeClass | 'unrated', string[]> = { high: [], medium: [], low: [], unrated: [] };
  for (const id of ids) by[volumeOf(id).class ?? 'unrated'].push(name(id));
  const parts: string[] = [];
  if (by.high.length) parts.push(`${by.high.length} high (${by.high.join(', ')})`);
  if (by.medium.length) parts.push(`${by.medium.length} medium`);
  if (by.low.length) parts.push(`${by.low.length} low`);
  if (by.unrated.length) parts.push(`${by.unrated.length} of unrated volume (${by.unrated.join(', ')}; written under any --max-volume: no source rates them)`);
  return `adds ${ids.length} setting${ids.length === 1 ? '' : 's'} on each host, by event volume: ${parts.join(', ') || 'none'}`;
}

/** The settings a fix file turns on that are rated high on these hosts. */
export function highVolume(ids: string[], volumeOf: (id: string) => VolumeRating): string[] {
  return ids.filter((id) => volumeOf(id).class === 'high');
}

/** "left out: 6 high-volume settings (…), the only way to make 41 more rules ready; --max-volume high writes them"; undefined when nothing is left out. */
export function leftOutLine(
  rd: { volumeBudget?: Pick<NonNullable<Readiness['volumeBudget']>, 'max' | 'settingsAbove' | 'onlyAbove'> } | undefined,
  catalog: Catalog,
  volumeOf: (id: string) => VolumeRating,
  hostCount: number,
  way = 'way',
): string | undefined {
  const b = rd?.volumeBudget;
  if (!b) return undefined;
  if (!b.settingsAbove.length) return undefined;
  const classes = [...new Set(b.settingsAbove.map((id) => volumeOf(id).class))].filter((c): c is VolumeClass => !!c);
  const top = classes.includes('high') ? 'high' : classes.includes('medium') ? 'medium' : 'low';
  // Success and Failure of one subcategory are one setting to whoever applies the file; so is one Sysmon element.
  const names = settingNames(b.settingsAbove, catalog, (id) => settingName(id, catalog));
  const what = classes.length === 1 ? `${top}-volume` : `${classes.join(' or ')}-volume`;
  const unit = hostCount > 1 ? 'rule × host pair' : 'rule';
  const need = b.onlyAbove
    ? `the only ${way} to make ${b.onlyAbove} more ${unit}${b.onlyAbove === 1 ? '' : 's'} ready`
    : 'no rule needs them alone (other ways within the budget make the same rules ready)';
  return `left out (volume budget --max-volume ${b.max}): ${names.length} ${what} setting${names.length === 1 ? '' : 's'} (${names.join(', ')}), ${need}; --max-volume ${top} writes them. Settings of unrated volume are kept under any budget.`;
}

/** A setting's name, one per audit subcategory whatever the outcome. */
export function settingName(id: string, catalog: Catalog): string {
  const m = /^audit:(\{[0-9A-Fa-f-]+\})/.exec(id);
  return (m && catalog.subcategory(m[1] as string)?.name) || describeRequirement(id, catalog).name;
}

export interface SecurityLogFacts {
  /** One line per host: the maximum size, how long it holds or which input would tell. */
  lines: string[];
  /** Hosts whose Security log is below the recommendation (or of unknown size) while high-volume settings are added. */
  warnings: string[];
}

/** The Security log on each host, and a warning where high-volume settings meet a small (or unknown) log. */
export function securityLogFacts(
  hosts: HostEnvironment[],
  catalog: Catalog,
  high: string[],
  names: (id: string) => string,
  observed?: Observations,
  measuredHolds?: (host: string) => string | undefined,
): SecurityLogFacts {
  const out: SecurityLogFacts = { lines: [], warnings: [] };
  const t = catalog.eventLogs.find((l) => l.log === 'Security');
  const spans = observedSpans(hosts.length, observed);
  for (const h of hosts) {
    const v = h.eventLogs.get('Security');
    const size = v?.maxSizeKB;
    const sizeText = size === undefined ? undefined : `${size} KB (${(size / KB_PER_MB).toFixed(size % KB_PER_MB ? 1 : 0)} MB; ${v?.source})`;
    const span = spans.get(hostKey(h.name)) ?? (hosts.length === 1 ? spans.get('') : undefined);
    // Measured retention (size ÷ bytes/day, retention.ts) says more than the span of an export; else the span.
    const measuredText = measuredHolds?.(h.name);
    const holds =
      (measuredText ? `measured: ${measuredText.replace(/^Security [^:]*: /, '')}` : undefined) ??
      span ??
      'how long it holds is not known: an export of this log (--observed Security.evtx, e.g. wevtutil epl Security Security.evtx) shows the time span it covers';
    out.lines.push(
      size === undefined
        ? `Security log on ${h.name}: maximum size not known (a host snapshot's wevtutil-gl.txt, --host, or gpresult's Event Log settings give it); ${holds}`
        : `Security log on ${h.name}: maximum ${sizeText}${t ? `, recommended at least ${t.recommendedMinKB} KB` : ''}; ${holds}`,
    );
    if (!high.length) continue;
    const what = `${high.length} high-volume setting${high.length === 1 ? '' : 's'} (${high.map(names).join(', ')})`;
    if (size === undefined)
      out.warnings.push(`${what} added on ${h.name}, whose Security log size is not known: check it holds enough before applying (wevtutil gl Security)`);
    else if (t && size < t.recommendedMinKB)
      out.warnings.push(
        `${what} added on ${h.name}, whose Security log is capped at ${size} KB, below the recommended ${t.recommendedMinKB} KB: older events roll over sooner; raise the size before applying`,
      );
  }
  return out;
}

/** Per host key, "the events given with --observed span …": only from records of a Security log ('' = no computer). */
function observedSpans(hostCount: number, observed?: Observations): Map<string, string> {
  const by = new Map<string, { first: string; last: string; events: number }>();
  for (const c of observed?.counts ?? []) {
    if (c.channel.toLowerCase() !== 'security' || !c.first || !c.last) continue;
    // A record without a computer counts only when there is one host to give it to.
    if (!c.computer && hostCount > 1) continue;
    const key = c.computer ? hostKey(c.computer.split('.')[0] ?? c.computer) : '';
    const s = by.get(key);
    if (!s) by.set(key, { first: c.first, last: c.last, events: c.count });
    else {
      s.events += c.count;
      if (c.first < s.first) s.first = c.first;
      if (c.last > s.last) s.last = c.last;
    }
  }
  const out = new Map<string, string>();
  for (const [key, s] of by) {
    const ms = Date.parse(s.last) - Date.parse(s.first);
    if (Number.isFinite(ms))
      out.set(
        key,
        `the events given with --observed span ${duration(ms)} (${s.events} events, ${s.first} to ${s.last}); if that export is the whole log and the log is full, that is how long it holds today`,
      );
  }
  return out;
}

function duration(ms: number): string {
  const min = Math.round(ms / 60_000);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ${min % 60} min`;
  return `${Math.floor(h / 24)} days ${h % 24} h`;
}
