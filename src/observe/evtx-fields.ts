/**
 * Field evidence of one EVTX file, kind by kind (issue 24): records examined, per EventData/UserData field the
 * records carrying it present and non-empty, and the value tokens of data/evidence-fields.yaml. Fed one
 * record's Fields at a time (binxml.ts); bounded by EVTX_LIMITS, a limit reached is a note, never a throw.
 */
import { LIMITS } from '../limits.js';
import type { Fields } from './binxml.js';
import { valueTokens, type EvidenceFields } from '../catalog/evidence-fields.js';
import type { ObservedCount } from './model.js';

const LIM = LIMITS.evtx;

/** Records counted for one field (or value token); stamp: the last record counted, so a record counts once. */
interface Tally {
  n: number;
  stamp: number;
}

/** One kind's field evidence. */
export interface KindFields {
  fieldRecords: number;
  fields: Map<string, Tally>;
  values: Map<string, Map<string, Tally>>;
  /** Field-name lists (one per template plan) whose names are already in fields. */
  lists: WeakSet<string[]>;
}

export const newKindFields = (): KindFields => ({ fieldRecords: 0, fields: new Map(), values: new Map(), lists: new WeakSet() });

// plain code-unit order: stable across locales
const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
const tallies = (m: Map<string, Tally>) => Object.fromEntries([...m].sort((a, b) => cmp(a[0], b[0])).map(([k, t]) => [k, t.n]));

/** The field evidence of a file's kinds, with what its limits left out. */
export class FieldCounter {
  /** Records whose fields were not examined, records with names past a limit, value tokens past a limit. */
  private cut = 0;
  private namesCut = 0;
  private dropped = 0;
  private tokensDropped = 0;
  private slots = 0;
  private stamp = 0;

  constructor(private readonly evidence: EvidenceFields) {}

  /** One record of the kind. */
  record(kind: KindFields, f: Fields, channel: string, eventId: number): void {
    if (f.fieldsCut) {
      this.cut++;
      return;
    }
    kind.fieldRecords++;
    const stamp = ++this.stamp;
    const dropped = this.dropped;
    // Names the templates define are kept with 0 records: "CommandLine in 0 of 7" says more than no word at all.
    for (let i = 0; i < f.nKnown; i++) {
      const list = f.known[i]!;
      if (kind.lists.has(list)) continue;
      kind.lists.add(list);
      for (const name of list) if (!kind.fields.has(name)) this.slot(kind, name);
    }
    for (let i = 0; i < f.nPresent; i++) {
      const name = f.present[i]!;
      const t = kind.fields.get(name) ?? this.slot(kind, name);
      if (t && t.stamp !== stamp) {
        t.stamp = stamp;
        t.n++;
      }
    }
    if (this.dropped !== dropped) this.namesCut++;
    for (let i = 0; i < f.nValues; i++) {
      const field = f.valueNames[i]!;
      const rule = this.evidence.lookup(channel, eventId, field);
      if (!rule) continue;
      let tokens = kind.values.get(field);
      if (!tokens) kind.values.set(field, (tokens = new Map<string, Tally>()));
      for (const token of valueTokens(rule.tokens, f.valueTexts[i]!)) {
        let t = tokens.get(token);
        if (!t) {
          if (tokens.size >= LIM.valuesPerField) {
            this.tokensDropped++;
            continue;
          }
          t = { n: 0, stamp: 0 };
          tokens.set(token, t);
        }
        if (t.stamp !== stamp) {
          t.stamp = stamp;
          t.n++;
        }
      }
    }
  }

  /** A new field of the kind, unless a limit is reached (then counted for the note). */
  private slot(kind: KindFields, name: string): Tally | undefined {
    if (kind.fields.size >= LIM.fieldsPerKind || this.slots >= LIM.fieldsPerFile) {
      this.dropped++;
      return undefined;
    }
    const t = { n: 0, stamp: 0 };
    kind.fields.set(name, t);
    this.slots++;
    return t;
  }

  /** The ObservedCount fields of a kind. */
  output(k: KindFields): Pick<ObservedCount, 'fieldRecords' | 'fields' | 'values'> {
    const out: Pick<ObservedCount, 'fieldRecords' | 'fields' | 'values'> = { fieldRecords: k.fieldRecords, fields: tallies(k.fields) };
    if (k.values.size) out.values = Object.fromEntries([...k.values].sort((a, b) => cmp(a[0], b[0])).map(([f, m]) => [f, tallies(m)]));
    return out;
  }

  /** What the limits left out, each line prefixed by the file name. */
  notes(name: string): string[] {
    const notes: string[] = [];
    const { cut, namesCut, tokensDropped } = this;
    const s = (n: number) => (n > 1 ? 's' : '');
    if (cut)
      notes.push(
        `${name}: ${cut} record${s(cut)} whose fields were not examined (a template with more than ${LIM.fieldsPerKind} fields, limit, or a damaged field value); counted, without field evidence`,
      );
    if (namesCut)
      notes.push(
        `${name}: more than ${LIM.fieldsPerKind} field names in one kind of event or ${LIM.fieldsPerFile.toLocaleString('en-US')} in the file (limit): the further fields of ${namesCut} record${s(namesCut)} not counted`,
      );
    if (tokensDropped)
      notes.push(
        `${name}: more than ${LIM.valuesPerField} distinct values of one field in one kind of event (limit): ${tokensDropped} further value${s(tokensDropped)} not counted`,
      );
    return notes;
  }
}
