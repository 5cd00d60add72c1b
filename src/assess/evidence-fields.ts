/**
 * Field evidence (issue 24): which fields the events that arrive carry, what that means for a rule (a field it
 * reads is empty in nearly every record: `observed-without-fields`) and for the host's settings (4688 with the
 * command line shows the policy on; the algorithms in Sysmon's Hashes). Facts from data/evidence-inference.yaml.
 *
 * Nothing here claims a field is fine without records examined for it: counts without field evidence leave
 * every field unexamined, and a field is judged only where the data says the event carries it or a record shows it.
 */
import type { ObservedCount } from '../observe/model.js';
import type { BranchEvent } from '../requirements/sets.js';
import { channelKey } from '../observe/channels.js';
import { fieldFacts, fieldKey as key, type FieldFacts } from './evidence-facts.js';

export { fieldFacts, type FieldFacts } from './evidence-facts.js';

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
export const lookedFor = (t: FieldTally, low: string) => t.allLooked + (t.looked.get(low) ?? 0);

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
    else
      out.empty.push({
        field,
        ...(own ? { eventField: own } : {}),
        channel: ev.channel,
        eventIds: ev.eventIds,
        present,
        examined: records,
        ...(fill?.setting ? { setting: fill.setting } : {}),
        ...(fill?.settingText ? { settingText: fill.settingText } : {}),
      });
  }
  return out;
}

const n = (x: number) => x.toLocaleString('en-US');

/** "CommandLine empty in 1,200 of 1,200 Security 4688 (policy:process-creation-command-line fills it)". */
export function emptyFieldText(e: EmptyField, name?: (id: string) => string | undefined): string {
  const what = e.eventField ? `${e.field} (${e.eventField})` : e.field;
  const setting = e.setting ? (name?.(e.setting) ? `${name(e.setting)} (${e.setting})` : e.setting) : e.settingText;
  // No setting known to fill it: the events may leave it empty by their nature (WorkstationName of a Kerberos
  // logon), which no logging change fixes; the rule still cannot match these events.
  return `${what} empty in ${n(e.examined - e.present)} of ${n(e.examined)} ${e.channel} ${e.eventIds.join(', ')}${setting ? `: ${setting} fills it` : ': no setting is known to fill it (these events may leave it empty by nature)'}`;
}

/** One empty field of a host (without counts, which differ per rule) and the rules it leaves without fields. */
export type EmptyFieldRow = Omit<EmptyField, 'present' | 'examined'> & { rules: number };

/** Per empty field (and the setting that fills it), the plain rules it leaves observed without fields. */
export function emptySummary(rules: { kind: string }[], perRule: ({ state: string; emptyFields?: EmptyField[] } | undefined)[]): EmptyFieldRow[] {
  const out = new Map<string, EmptyFieldRow>();
  perRule.forEach((e, ri) => {
    if (e?.state !== 'observed-without-fields' || rules[ri]?.kind !== 'rule') return;
    const once = new Set<string>();
    for (const f of e.emptyFields ?? []) {
      const k = `${f.field.toLowerCase()}|${channelKey(f.channel)}|${f.eventIds.join(',')}`;
      if (once.has(k)) continue;
      once.add(k);
      const row = out.get(k);
      if (row) row.rules++;
      else {
        const { present: _p, examined: _e, ...rest } = f;
        out.set(k, { ...rest, rules: 1 });
      }
    }
  });
  return [...out.values()].sort((a, b) => b.rules - a.rules || a.field.localeCompare(b.field));
}
