/**
 * The pieces binxml.ts compiles and fills: the bounds, the Plan of a template (System field parts, nested
 * values, EventData/UserData fields), what one record's walk found (Fields), and the per-record field check
 * that tells present from empty by a value's descriptor without decoding it.
 */
import { decode } from './binxml-values.js';

/** The System fields, as indexes into Fields.text. */
export const enum F {
  Provider,
  EventId,
  Qualifiers,
  Channel,
  Computer,
  Time,
}
export const FIELDS = 6;

/** Bounds on one chunk's walking (set by the caller, see EVTX_LIMITS in evtx.ts). */
export interface BinXmlLimits {
  /** Template instances nested in BinXml substitution values (0x21) inside one record. */
  maxNesting: number;
  /** Open elements in one stream. */
  maxElementDepth: number;
  /** Bytes of template definitions walked per chunk: real chunks define well under 64 KiB of templates. */
  templateBytesPerChunk: number;
  /** Characters kept of a field value (computer, channel and provider names are far shorter). */
  maxFieldChars: number;
  /** Parts of one field, and BinXml substitutions, in one template (real ones: one or two, and a few). */
  maxPlanEntries: number;
  /** EventData/UserData fields one template may define; past it, its records' fields are not examined. */
  fieldsPerKind: number;
  /** Characters decoded of a value whose tokens are counted. */
  valueChars: number;
}

/** Field evidence to gather: the names of the fields whose values are decoded (data/evidence-fields.yaml). */
export interface FieldOptions {
  values: ReadonlySet<string>;
}

/** What one record's walk found; reused across records (reset() before each). */
export class Fields {
  text: (string | undefined)[] = new Array<string | undefined>(FIELDS).fill(undefined);
  /** TimeCreated SystemTime as ms since 1970, NaN when absent or not a time. */
  timeMs = NaN;
  /** EventData/UserData fields present and non-empty (a name may repeat); the first nPresent count. */
  present: string[] = [];
  nPresent = 0;
  /** Decoded values of the fields named in FieldOptions.values; the first nValues count. */
  valueNames: string[] = [];
  valueTexts: string[] = [];
  nValues = 0;
  /** Names of every field the record's templates define, present or empty (one list per template); the first nKnown count. */
  known: string[][] = [];
  nKnown = 0;
  /** A template of the record defines more fields than a plan keeps: the record's fields were not all examined. */
  fieldsCut = false;
  /** Set while BinXml values are walked for their fields only: the System fields already read stay as they are. */
  systemDone = false;
  reset(): void {
    this.text.fill(undefined);
    this.timeMs = NaN;
    this.nPresent = 0;
    this.nValues = 0;
    this.nKnown = 0;
    this.fieldsCut = false;
    this.systemDone = false;
  }
  complete(): boolean {
    return this.text[F.Channel] !== undefined && this.text[F.EventId] !== undefined;
  }
  addPresent(name: string, cap: number): void {
    if (this.nPresent < cap) this.present[this.nPresent++] = name;
    else this.fieldsCut = true;
  }
  addKnown(names: string[], cap: number): void {
    if (this.nKnown < cap) this.known[this.nKnown++] = names;
    else this.fieldsCut = true;
  }
  addValue(name: string, text: string, cap: number): void {
    if (this.nValues >= cap) return;
    this.valueNames[this.nValues] = name;
    this.valueTexts[this.nValues++] = text;
  }
}

export type Part = string | number; // literal text, or a substitution index
/** One EventData Data element or UserData leaf of a template: its name and the parts of its text. */
export interface DataEntry {
  name: string;
  parts: Part[];
  /** Its value is decoded (FieldOptions.values). */
  value: boolean;
}
export interface Plan {
  parts: (Part[] | undefined)[];
  /** Substitutions of element content that may carry nested BinXml (a whole System element, say); system: inside System. */
  nested: { index: number; stack: string[]; system: boolean }[];
  data: DataEntry[];
  /** Parts of all data entries (each a step per record), capped at 2 × BinXmlLimits.fieldsPerKind. */
  dataParts: number;
  /** The names of data, once per plan: the record's known fields. */
  names: string[];
  /** The template defines more fields than BinXmlLimits.fieldsPerKind (or parts than twice that). */
  dataCut: boolean;
}
/** Targets beyond the System fields: the Name attribute of an EventData Data element, a field's text. */
export const T_NAME = 100;
export const T_DATA = 101;

/** Index of the UserData element in the open elements, or -1 (stacks are a few elements deep). */
export function userData(stack: string[]): number {
  for (let i = stack.length - 1; i >= 0; i--) if (stack[i] === 'UserData') return i;
  return -1;
}

/**
 * A value as the start of its rendering would read: "" (absent, NULL, empty), "-", one other character
 * ("x"), or longer ("xx"). Strings lose their terminating NULs; no value is decoded.
 */
function brief(c: Buffer, offs: Int32Array, i: number, n: number, desc: number): string {
  if (i >= n) return '';
  const size = c[desc + 4 * i]! | (c[desc + 4 * i + 1]! << 8);
  const type = c[desc + 4 * i + 2]!;
  if (size === 0 || type === 0x00) return '';
  const at = offs[i]!;
  if (type === 0x01 || type === 0x02) {
    const w = type === 0x01 ? 2 : 1;
    let e = at + (size - (size % w));
    while (e > at && c[e - 1] === 0 && (w === 1 || c[e - 2] === 0)) e -= w;
    const chars = (e - at) / w;
    return chars === 0 ? '' : chars > 1 ? 'xx' : c[at] === 0x2d && (w === 1 || c[at + 1] === 0) ? '-' : 'x';
  }
  return 'xx';
}

/** The record's EventData/UserData fields by the plan: present and non-empty ones, and the values to count. */
export function fieldsOf(c: Buffer, offs: Int32Array, plan: Plan, n: number, desc: number, out: Fields, lim: BinXmlLimits): void {
  if (plan.dataCut) {
    out.fieldsCut = true;
    return;
  }
  const cap = 4 * lim.fieldsPerKind;
  if (plan.names.length) out.addKnown(plan.names, lim.maxNesting * 4);
  for (const e of plan.data) {
    const parts = e.parts;
    let present: boolean;
    if (parts.length === 1 && typeof parts[0] === 'number') {
      const b = brief(c, offs, parts[0], n, desc);
      present = b !== '' && b !== '-';
    } else {
      let b = '';
      for (const part of parts) b += typeof part === 'string' ? part : brief(c, offs, part, n, desc);
      present = b !== '' && b !== '-';
    }
    if (present) out.addPresent(e.name, cap);
    if (e.value) {
      let text = '';
      for (const part of parts) {
        if (typeof part === 'string') text += part;
        else if (part < n) text += decode(c, offs[part]!, c[desc + 4 * part]! | (c[desc + 4 * part + 1]! << 8), c[desc + 4 * part + 2]!, lim.valueChars) ?? '';
      }
      out.addValue(e.name, text.slice(0, lim.valueChars), lim.fieldsPerKind);
    }
  }
}
