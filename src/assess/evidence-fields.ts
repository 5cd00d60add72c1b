/**
 * Field evidence (issue 24): which fields the events that arrive carry, what that means for a rule (a field it
 * reads is empty in nearly every record: `observed-without-fields`) and for the host's settings (4688 with the
 * command line shows the policy on; the algorithms in Sysmon's Hashes). Facts from data/evidence-inference.yaml.
 *
 * Nothing here claims a field is fine without records examined for it: counts without field evidence leave
 * every field unexamined, and a field is judged only where the data says the event carries it or a record shows it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Checker } from '../catalog/validate.js';
import { lazy } from '../lazy.js';
import { channelKey } from '../observe/channels.js';
import type { ObservedCount } from '../observe/model.js';
import { PACKAGE_DIR } from '../paths.js';
import type { BranchEvent } from '../requirements/sets.js';

export interface FieldFacts {
  thresholds: { emptyBelow: number; onAtLeast: number; offAtMost: number };
  /** Sigma fields of the event's System part (lower case): never in field evidence, never judged. */
  system: Set<string>;
  /** channelKey|eventId → Sigma field (lower case) → the event's field name. */
  names: Map<string, Map<string, string>>;
  /** channelKey|eventId → the event's field name (lower case) → its fact (the setting that fills it, if any). */
  known: Map<string, Map<string, { setting?: string; settingText?: string }>>;
  inferences: { setting: string; channel: string; events: number[]; field: string }[];
  hashValues: { channel: string; events: number[]; field: string; algorithms: string[] };
}

/** A field a rule reads that the examined records of a branch event (nearly) never carry. */
export interface EmptyField {
  /** The Sigma field name, as the rule writes it. */
  field: string;
  /** The event's own name when it differs (4688: NewProcessName for Image). */
  eventField?: string;
  channel: string;
  eventIds: number[];
  /** Records carrying it present and non-empty, of the records examined. */
  present: number;
  examined: number;
  /** The requirement id of the setting that fills it (policy:process-creation-command-line), when one does. */
  setting?: string;
  /** The setting in words when no requirement id names it ("Sysmon <HashAlgorithms>"). */
  settingText?: string;
}

/** A setting inferred from field evidence that the configuration inputs contradict. */
export interface SettingConflict {
  /** Requirement id or name of the setting. */
  setting: string;
  /** What the evidence says: "on" / "off" / the algorithms seen. */
  evidence: string;
  /** What the configuration inputs say, with their reason. */
  config: string;
  /** The events and share it is inferred from ("CommandLine empty in 1,200 of 1,200 Security 4688"). */
  basis: string;
}

/** A setting inferred from field evidence (whether or not the inputs say anything about it). */
export interface InferredSetting {
  setting: string;
  value: string;
  basis: string;
}

const yaml = lazy<typeof import('yaml')>('yaml');
let facts: FieldFacts | undefined;
const key = (channel: string, id: number) => `${channelKey(channel)}|${id}`;

/** data/evidence-inference.yaml, read and checked once; a malformed file is an internal error (exit 3). */
export function fieldFacts(path?: string): FieldFacts {
  if (facts && !path) return facts;
  const file = path ?? join(PACKAGE_DIR, 'data', 'evidence-inference.yaml');
  const d = yaml().parse(readFileSync(file, 'utf8')) as unknown;
  const c = new Checker('evidence-inference.yaml');
  c.onlyKeys(d, 'file', ['thresholds', 'systemFields', 'names', 'fields', 'inferences', 'hashValues', 'notDrawn']);
  const t = c.field<Record<string, number>>(d, 'file', 'thresholds', 'object') ?? {};
  const num = (k: string) => {
    const v = c.field<number>(t, 'thresholds', k, 'number');
    if (v !== undefined && (v < 0 || v > 100)) c.fail('thresholds', `${k} must be a percentage`);
    return v ?? 0;
  };
  const out: FieldFacts = { thresholds: { emptyBelow: num('emptyBelow'), onAtLeast: num('onAtLeast'), offAtMost: num('offAtMost') }, system: new Set(), names: new Map(), known: new Map(), inferences: [], hashValues: { channel: '', events: [], field: '', algorithms: [] } };
  const sys = c.field<unknown>(d, 'file', 'systemFields', 'object');
  c.onlyKeys(sys, 'systemFields', ['names', 'source', 'note']);
  c.field<string>(sys, 'systemFields', 'source', 'string');
  for (const x of c.field<unknown[]>(sys, 'systemFields', 'names', 'array') ?? []) out.system.add(String(x).toLowerCase());
  const events = (o: unknown, where: string) => {
    const ch = c.field<string>(o, where, 'channel', 'string') ?? '';
    const ids = c.field<number[]>(o, where, 'events', 'array') ?? [];
    if (!ids.every((x) => Number.isInteger(x))) c.fail(where, 'events must be event IDs');
    c.field<string>(o, where, 'source', 'string');
    return { ch, ids };
  };
  (c.field<unknown[]>(d, 'file', 'names', 'array') ?? []).forEach((e, i) => {
    const w = `names[${i}]`;
    c.onlyKeys(e, w, ['channel', 'events', 'map', 'source', 'note']);
    const { ch, ids } = events(e, w);
    const map = c.field<Record<string, string>>(e, w, 'map', 'object') ?? {};
    for (const id of ids) {
      const m = out.names.get(key(ch, id)) ?? new Map<string, string>();
      for (const [sigma, own] of Object.entries(map)) m.set(sigma.toLowerCase(), String(own));
      out.names.set(key(ch, id), m);
    }
  });
  (c.field<unknown[]>(d, 'file', 'fields', 'array') ?? []).forEach((e, i) => {
    const w = `fields[${i}]`;
    c.onlyKeys(e, w, ['channel', 'events', 'field', 'setting', 'settingText', 'source', 'note']);
    const { ch, ids } = events(e, w);
    const field = c.field<string>(e, w, 'field', 'string') ?? '';
    const setting = c.field<string>(e, w, 'setting', 'string', true);
    const settingText = c.field<string>(e, w, 'settingText', 'string', true);
    for (const id of ids) {
      const m = out.known.get(key(ch, id)) ?? new Map();
      m.set(field.toLowerCase(), { ...(setting ? { setting } : {}), ...(settingText ? { settingText } : {}) });
      out.known.set(key(ch, id), m);
    }
  });
  (c.field<unknown[]>(d, 'file', 'inferences', 'array') ?? []).forEach((e, i) => {
    const w = `inferences[${i}]`;
    c.onlyKeys(e, w, ['setting', 'channel', 'events', 'field', 'source', 'note']);
    const { ch, ids } = events(e, w);
    out.inferences.push({ setting: c.field<string>(e, w, 'setting', 'string') ?? '', channel: ch, events: ids, field: c.field<string>(e, w, 'field', 'string') ?? '' });
  });
  const h = c.field<unknown>(d, 'file', 'hashValues', 'object');
  if (h) {
    c.onlyKeys(h, 'hashValues', ['channel', 'events', 'field', 'algorithms', 'source', 'note']);
    const { ch, ids } = events(h, 'hashValues');
    out.hashValues = { channel: ch, events: ids, field: c.field<string>(h, 'hashValues', 'field', 'string') ?? '', algorithms: c.field<string[]>(h, 'hashValues', 'algorithms', 'array') ?? [] };
  }
  (c.field<unknown[]>(d, 'file', 'notDrawn', 'array') ?? []).forEach((e, i) => {
    c.onlyKeys(e, `notDrawn[${i}]`, ['setting', 'channel', 'events', 'reason', 'source']);
    c.field<string>(e, `notDrawn[${i}]`, 'reason', 'string');
    events(e, `notDrawn[${i}]`);
  });
  if (c.problems.length) throw new Error(c.problems.join('\n'));
  if (!path) facts = out;
  return out;
}

/** Field evidence of one channel and event ID on one host, summed over its counts. */
export interface FieldTally {
  records: number;
  /** Records in which every field was looked for (EVTX, Splunk fieldsummary). */
  allLooked: number;
  /**
   * Field name (lower case) → further records in which that field was looked for: a SIEM query counts only the
   * fields it names (fieldsListedOnly), so a field it did not name was not looked for there and proves nothing.
   */
  looked: Map<string, number>;
  /** Field name (lower case) → records carrying it present and non-empty. */
  present: Map<string, number>;
  /** Field name (lower case) → value token → records. */
  values: Map<string, Map<string, number>>;
}

export type FieldIndex = Map<string, FieldTally>;

/** Per channel and event ID, the records examined for fields; counts without field evidence add nothing. */
export function indexFields(counts: ObservedCount[]): FieldIndex {
  const index: FieldIndex = new Map();
  for (const c of counts) {
    if (!c.fieldRecords || c.fieldRecords <= 0) continue;
    const k = key(c.channel, c.eventId);
    let t = index.get(k);
    if (!t) index.set(k, (t = { records: 0, allLooked: 0, looked: new Map(), present: new Map(), values: new Map() }));
    t.records += c.fieldRecords;
    if (!c.fieldsListedOnly) t.allLooked += c.fieldRecords;
    for (const [name, n] of Object.entries(c.fields ?? {})) {
      const low = name.toLowerCase();
      if (c.fieldsListedOnly) t.looked.set(low, (t.looked.get(low) ?? 0) + c.fieldRecords);
      if (Number.isFinite(n) && n > 0) t.present.set(low, (t.present.get(low) ?? 0) + Math.min(n, c.fieldRecords));
    }
    for (const [name, vals] of Object.entries(c.values ?? {})) {
      const low = name.toLowerCase();
      const m = t.values.get(low) ?? new Map<string, number>();
      for (const [v, n] of Object.entries(vals)) if (Number.isFinite(n) && n > 0) m.set(v.toUpperCase(), (m.get(v.toUpperCase()) ?? 0) + n);
      t.values.set(low, m);
    }
  }
  return index;
}

/** The fields of a rule that field evidence can judge: not those of the event's System part (EventID …). */
export function dataFields(read: readonly string[] | undefined, f: FieldFacts = fieldFacts()): string[] {
  return (read ?? []).filter((x) => !f.system.has(x.toLowerCase()));
}

/** Records of a tally in which the field (lower case) was looked for. */
const lookedFor = (t: FieldTally, low: string) => t.allLooked + (t.looked.get(low) ?? 0);

/** What the field evidence says of the fields a rule reads on one branch event. */
export interface FieldCheck {
  /** Fields (nearly) never present. */
  empty: EmptyField[];
  /** Fields judged and present often enough (Sigma names). */
  present: string[];
  /** Fields not judged: no record was examined for them, or the event may not carry them at all. */
  unjudged: string[];
}

/** The fields of `read` (Sigma names) that the examined records of the branch event (nearly) never carry. */
export function emptyFields(ev: BranchEvent, read: readonly string[], index: FieldIndex, f: FieldFacts = fieldFacts()): EmptyField[] {
  return checkFields(ev, read, index, f).empty;
}

/**
 * Judges each field of `read` (Sigma names) on the branch event. A field is judged per event ID, only where records
 * were examined for it and the data says the event carries it or some record shows it; it is empty for the branch
 * when every event ID judging it has it in fewer than `emptyBelow` percent (one ID that has it is enough for a
 * rule reading several IDs).
 */
export function checkFields(ev: BranchEvent, read: readonly string[], index: FieldIndex, f: FieldFacts = fieldFacts()): FieldCheck {
  const out: FieldCheck = { empty: [], present: [], unjudged: [] };
  if (!ev.channel || !ev.eventIds.length) return { ...out, unjudged: [...read] };
  for (const field of read) {
    const sigma = field.toLowerCase();
    let present = 0;
    let records = 0;
    let judged = false;
    let fine = false;
    let own: string | undefined;
    let fill: { setting?: string; settingText?: string } | undefined;
    for (const id of ev.eventIds) {
      const k = key(ev.channel, id);
      const t = index.get(k);
      if (!t?.records) continue;
      const name = f.names.get(k)?.get(sigma) ?? field;
      const low = name.toLowerCase();
      const known = f.known.get(k)?.get(low);
      const p = t.present.get(low) ?? 0;
      const looked = lookedFor(t, low);
      if (!looked || (!known && p === 0)) continue;
      judged = true;
      if (low !== sigma) own = name;
      fill ??= known && (known.setting || known.settingText) ? known : undefined;
      present += p;
      records += looked;
      if ((100 * p) / looked >= f.thresholds.emptyBelow) fine = true;
    }
    if (!judged) out.unjudged.push(field);
    else if (fine) out.present.push(field);
    else out.empty.push({ field, ...(own ? { eventField: own } : {}), channel: ev.channel, eventIds: ev.eventIds, present, examined: records, ...(fill?.setting ? { setting: fill.setting } : {}), ...(fill?.settingText ? { settingText: fill.settingText } : {}) });
  }
  return out;
}

const n = (x: number) => x.toLocaleString('en-US');

/** "CommandLine empty in 1,200 of 1,200 Security 4688 (policy:process-creation-command-line fills it)". */
export function emptyFieldText(e: EmptyField, name?: (id: string) => string | undefined): string {
  const what = e.eventField ? `${e.field} (${e.eventField})` : e.field;
  const setting = e.setting ? (name?.(e.setting) ? `${name(e.setting)} (${e.setting})` : e.setting) : e.settingText;
  return `${what} empty in ${n(e.examined - e.present)} of ${n(e.examined)} ${e.channel} ${e.eventIds.join(', ')}${setting ? `: ${setting} fills it` : ''}`;
}

type StateOf = (id: string) => { state: string; reason: string; name?: string } | undefined;

/**
 * Settings the field evidence shows (data inferences: on / off from a field's share; Sysmon hash algorithms), and
 * those the configuration inputs contradict. A setting the inputs do not state on or off is never a conflict.
 */
export function inferSettings(index: FieldIndex, stateOf: StateOf | undefined, hashConfig?: string[], f: FieldFacts = fieldFacts()): { inferred: InferredSetting[]; conflicts: SettingConflict[] } {
  const inferred: InferredSetting[] = [];
  const conflicts: SettingConflict[] = [];
  for (const inf of f.inferences) {
    let records = 0;
    let present = 0;
    for (const id of inf.events) {
      const t = index.get(key(inf.channel, id));
      if (!t?.records) continue;
      records += lookedFor(t, inf.field.toLowerCase());
      present += t.present.get(inf.field.toLowerCase()) ?? 0;
    }
    if (!records) continue;
    const share = (100 * present) / records;
    const value = share >= f.thresholds.onAtLeast ? 'on' : share <= f.thresholds.offAtMost ? 'off' : undefined;
    if (!value) continue;
    const basis = `${inf.field} present in ${n(present)} of ${n(records)} ${inf.channel} ${inf.events.join(', ')}`;
    inferred.push({ setting: inf.setting, value, basis });
    const st = stateOf?.(inf.setting);
    if (st && (st.state === 'on' || st.state === 'off') && st.state !== value) {
      conflicts.push({ setting: st.name ? `${st.name} (${inf.setting})` : inf.setting, evidence: value, config: `${st.state}${st.reason ? ` (${st.reason})` : ''}`, basis });
    }
  }
  const h = f.hashValues;
  const seen = new Map<string, number>();
  let records = 0;
  for (const id of h.events) {
    const t = index.get(key(h.channel, id));
    if (!t?.records) continue;
    records += t.records;
    for (const [v, c] of t.values.get(h.field.toLowerCase()) ?? []) if (h.algorithms.includes(v)) seen.set(v, (seen.get(v) ?? 0) + c);
  }
  if (seen.size) {
    const algos = [...seen.keys()].sort();
    const basis = `${h.field} of ${n(records)} ${h.channel} ${h.events.join(', ')}: ${[...seen].map(([a, c]) => `${a} ×${n(c)}`).join(', ')}`;
    inferred.push({ setting: 'Sysmon <HashAlgorithms>', value: algos.join(','), basis });
    const config = hashConfig?.map((a) => a.toUpperCase()).filter((a) => h.algorithms.includes(a)).sort();
    // "*" in the config means all; then every algorithm should show. Otherwise the sets must be equal.
    const want = hashConfig?.includes('*') ? [...h.algorithms].sort() : config;
    if (want && want.join(',') !== algos.join(',')) conflicts.push({ setting: 'Sysmon <HashAlgorithms>', evidence: algos.join(','), config: hashConfig?.join(',') || 'none', basis });
  }
  return { inferred, conflicts };
}
