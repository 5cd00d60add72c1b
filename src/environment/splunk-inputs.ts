/**
 * Splunk Universal Forwarder inputs.conf → what each [WinEventLog://<channel>] input forwards. Facts and their
 * sources: data/collectors.yaml `splunk` (inputs.conf.spec "Windows Event Log Monitor" and "Event Log
 * filtering"). An event passes when no whitelist is set or one whitelist entry matches, and no blacklist
 * entry matches (blacklists win). Event-ID lists and EventCode regexes are evaluated exactly; a filter on any
 * other key (Message, User, $XmlRegex …) can go either way per event, so the IDs it covers are only "possible".
 */
import { basename } from 'node:path';
import { LIMITS } from '../limits.js';
import { ALL, NONE, addForward, intersect, minus, normalize, union, type ForwardedSet, type Ranges } from './forwarded.js';
import { mergeConf, parseConf, precedence, type ConfFile, type Merged } from './splunk-conf.js';

/** whitelist, whitelist1 … whitelist9 (and the same for blacklist): the spec allows exactly these. */
export const LIST_SUFFIXES = ['', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

export function parseBool(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  const s = v.trim().toLowerCase();
  if (['1', 'true', 't', 'yes', 'y'].includes(s)) return true;
  if (['0', 'false', 'f', 'no', 'n'].includes(s)) return false;
  return undefined;
}

/** "4,5,7,100-200" → ranges; "*" → all; undefined when the text is not an event-ID list. */
export function parseIdList(spec: string): Ranges | undefined {
  const s = spec.trim();
  if (s === '*') return ALL;
  if (!/^\d+(\s*-\s*\d+)?(\s*,\s*\d+(\s*-\s*\d+)?)*$/.test(s)) return undefined;
  return normalize(
    s.split(',').map((t) => {
      const [a, b] = t.split('-').map((x) => Number(x.trim()));
      return [a as number, b ?? (a as number)] as [number, number];
    }),
  );
}

/**
 * `Key=%regex% Key2="regex"`: each regex between a leading delimiter and the same character closing it,
 * followed by the end or by whitespace and the next key. undefined when the text does not parse.
 */
export function parseKeyRegex(spec: string): { key: string; regex: string }[] | undefined {
  const out: { key: string; regex: string }[] = [];
  let rest = spec.trim();
  while (rest) {
    const m = /^(\$?[A-Za-z_]\w*)\s*=\s*(\S)/.exec(rest);
    if (!m) return undefined;
    const delim = m[2] as string;
    const start = m[0].length;
    let end = -1;
    for (let j = rest.indexOf(delim, start); j >= 0; j = rest.indexOf(delim, j + 1)) {
      const after = rest.slice(j + 1);
      if (!after.trim() || /^\s+\$?[A-Za-z_]\w*\s*=/.test(after)) {
        end = j;
        break;
      }
    }
    if (end < 0) return undefined;
    out.push({ key: m[1] as string, regex: rest.slice(start, end) });
    rest = rest.slice(end + 1).trim();
  }
  return out.length ? out : undefined;
}

const regexCache = new Map<string, Ranges | undefined>();

/**
 * The regex syntax PCRE (Splunk) and JavaScript read alike on a string of digits: digits, anchors, groups,
 * classes, alternation, quantifiers, "." and the escapes \d \D \b \B \. . Anything else (letters: \Z, \A,
 * (?i), \s …; backreferences) may mean something else in PCRE, so such a regex is not evaluated exactly.
 */
const PORTABLE = /^(?:[0-9^$|()[\]{}?*+,.:\- ]|\\[dDbB.])*$/;

/**
 * The event IDs whose decimal text an EventCode regex matches (unanchored, as a regex search), or undefined
 * when the regex is outside the syntax both engines read alike (PORTABLE) or JavaScript cannot run it.
 */
export function eventCodeIds(regex: string): Ranges | undefined {
  if (regexCache.has(regex)) return regexCache.get(regex);
  let ids: Ranges | undefined;
  if (PORTABLE.test(regex) && regex.length <= LIMITS.collector.eventCodeRegexChars && regexCache.size < LIMITS.collector.eventCodeRegexes) {
    try {
      const re = new RegExp(regex);
      const out: Ranges = [];
      for (let id = 0; id <= 65535; id++) if (re.test(String(id))) out.push([id, id]);
      ids = normalize(out);
    } catch {
      ids = undefined;
    }
  }
  regexCache.set(regex, ids);
  return ids;
}

/** What one whitelist or blacklist entry matches: surely, and possibly (depending on other fields). */
export interface EntryMatch {
  sure: Ranges;
  possible: Ranges;
  reason?: string;
}

export function entryMatch(name: string, spec: string, renderXml: boolean): EntryMatch {
  const ids = parseIdList(spec);
  if (ids) {
    // The spec: with renderXml = true, allow and deny lists work only with the $XmlRegex key. Whether the
    // event-ID list format still applies is not documented either way, so it is not taken as exact.
    if (renderXml) return { sure: NONE, possible: ALL, reason: `${name}: renderXml = true, where the spec says filters need $XmlRegex` };
    return { sure: ids, possible: ids };
  }
  const pairs = parseKeyRegex(spec);
  if (!pairs) return { sure: NONE, possible: ALL, reason: `${name} is neither an event-ID list nor key=regex pairs` };
  const others = pairs.filter((p) => p.key.toLowerCase() !== 'eventcode').map((p) => p.key);
  if (renderXml && others.some((k) => k.toLowerCase() !== '$xmlregex')) {
    return { sure: NONE, possible: ALL, reason: `${name}: renderXml = true, where the spec says filters need $XmlRegex` };
  }
  // Several key=regex pairs in one entry are ANDed: the entry matches only IDs every EventCode regex matches.
  let matched: Ranges = ALL;
  let exact = true;
  for (const p of pairs.filter((x) => x.key.toLowerCase() === 'eventcode')) {
    const r = renderXml ? undefined : eventCodeIds(p.regex);
    if (!r) exact = false;
    else matched = intersect(matched, r);
  }
  if (!exact) return { sure: NONE, possible: matched, reason: `${name}: EventCode regex not evaluated exactly` };
  if (others.length) return { sure: NONE, possible: matched, reason: `${name}: ${[...new Set(others)].join(', ')} filter` };
  return { sure: matched, possible: matched };
}

type Settings = Map<string, { value: string; path: string }>;

/** Settings of a stanza as Splunk applies them: the stanza's own over [WinEventLog] over [default]. */
function effective(m: Merged, name: string): Settings {
  const out: Settings = new Map();
  for (const n of ['default', 'WinEventLog', name]) for (const [k, v] of m.stanzas.get(n) ?? []) out.set(k, v);
  return out;
}

/** The channel a stanza reads, and whether the stanza form is the documented one. */
export function stanzaChannel(name: string): { channel: string; documented: boolean } | undefined {
  const m = /^(Xml)?WinEventLog:\/\/(.+)$/i.exec(name);
  const channel = m?.[2]?.trim();
  if (!m || !channel) return undefined;
  return { channel, documented: !m[1] && name.startsWith('WinEventLog://') };
}

export interface StanzaForward {
  stanza: string;
  channel: string;
  sure: Ranges;
  possible: Ranges;
  reasons: string[];
}

/** What one input stanza forwards after inheritance; notes for disabled inputs and settings that matter. */
export function stanzaForward(m: Merged, name: string, notes: string[], hasDefaults: boolean): StanzaForward | undefined {
  const ch = stanzaChannel(name);
  if (!ch) return undefined;
  const s = effective(m, name);
  const label = `splunk [${name}]`;
  const reasons: string[] = [];
  const disabledRaw = s.get('disabled')?.value;
  const disabled = parseBool(disabledRaw ?? '0');
  if (disabled === true) {
    notes.push(`${label} is disabled (disabled = ${disabledRaw} in ${s.get('disabled')!.path}): it forwards nothing`);
    return { stanza: name, channel: ch.channel, sure: NONE, possible: NONE, reasons };
  }
  if (disabled === undefined) reasons.push(`disabled = ${disabledRaw} is not a boolean`);
  if (disabledRaw === undefined && !hasDefaults) {
    notes.push(`${label} sets no "disabled": enabled by Splunk's default (disabled = 0), unless an app's default/inputs.conf not given here disables it`);
  }
  if (!ch.documented) reasons.push(`[${name}] is not the documented [WinEventLog://<channel>] form; Splunk may not read it`);
  const current = parseBool(s.get('current_only')?.value);
  const from = s.get('start_from')?.value.trim().toLowerCase();
  if (current && from === 'newest') {
    notes.push(`${label}: current_only = 1 with start_from = newest collects no events (inputs.conf.spec): it forwards nothing`);
    return { stanza: name, channel: ch.channel, sure: NONE, possible: NONE, reasons };
  }
  if (current) notes.push(`${label}: current_only = 1 reads only events that arrive while the forwarder runs: no backlog, and gaps after restarts`);
  const renderXml = parseBool(s.get('renderxml')?.value) === true;
  const list = (kind: 'whitelist' | 'blacklist') =>
    LIST_SUFFIXES.map((x) => `${kind}${x}`)
      .filter((k) => s.get(k)?.value.trim())
      .map((k) => {
        const e = entryMatch(k, s.get(k)!.value, renderXml);
        if (e.reason) reasons.push(e.reason);
        return e;
      });
  const white = list('whitelist');
  const black = list('blacklist');
  // No whitelist: every event passes. Otherwise entries are ORed (an event matching any one passes).
  const wSure = white.length ? normalize(white.flatMap((e) => e.sure)) : ALL;
  const wPossible = white.length ? normalize(white.flatMap((e) => e.possible)) : ALL;
  const bSure = normalize(black.flatMap((e) => e.sure));
  const bPossible = normalize(black.flatMap((e) => e.possible));
  const sure = disabled === undefined || !ch.documented ? NONE : minus(wSure, bPossible);
  const possible = minus(wPossible, bSure);
  return { stanza: name, channel: ch.channel, sure, possible: union(possible, sure), reasons: [...new Set(reasons)] };
}

/** Every WinEventLog input of the merged files into the forwarded set. */
export function forwardMerged(m: Merged, into: ForwardedSet, notes: string[], hasDefaults: boolean): StanzaForward[] {
  const out: StanzaForward[] = [];
  for (const name of m.stanzas.keys()) {
    const f = stanzaForward(m, name, notes, hasDefaults);
    if (!f) continue;
    out.push(f);
    if (f.possible.length) addForward(into, f.channel, f.sure, f.possible, f.reasons, `splunk [${f.stanza}]`);
  }
  if (!out.length) notes.push(`splunk ${m.order.map((p) => basename(p)).join(', ')}: no [WinEventLog://<channel>] input stanza`);
  return out;
}

/** Several inputs.conf files (or btool output) read together, as Splunk merges them. */
export function readSplunkInputs(files: { path: string; content: string }[], into: ForwardedSet, out: string[]): Merged {
  // The regex budget is per read, so one hostile file does not make later reads inexact.
  regexCache.clear();
  const notes: string[] = [];
  const parsed: ConfFile[] = files.map((f) => parseConf(f.path, f.content));
  const merged = mergeConf(parsed);
  for (const n of merged.notes) notes.push(n);
  // A default layer (an app's or the system's default/ folder, or btool's merged view) settles "disabled".
  // Only a local/ file given alone leaves that open: a file of unknown place is taken as the whole configuration.
  const ranks = parsed.map((f) => (f.btool ? 0 : precedence(f.path)?.rank));
  const hasDefaults = !ranks.some((r) => r !== undefined && r >= 3) || ranks.some((r) => r !== undefined && r <= 2);
  forwardMerged(merged, into, notes, hasDefaults);
  const max = LIMITS.notesPerFile;
  for (const n of notes.slice(0, max)) out.push(n);
  if (notes.length > max) out.push(`splunk: … and ${notes.length - max} more note(s) not listed (${max} per read; limit)`);
  return merged;
}
