/**
 * Just enough of Windows binary XML (MS-EVEN6 BinXml as stored in EVTX chunks) to read the System fields of
 * an event record: Provider Name, EventID (and Qualifiers), Channel, Computer, TimeCreated SystemTime; and,
 * for field evidence, which EventData `<Data Name="X">` elements and UserData leaf elements are present and
 * non-empty.
 *
 * Records are almost always one template instance: the template definition (the XML skeleton, stored once per
 * chunk) plus the record's substitution values. A definition is walked once per chunk into a Plan that says,
 * for each System field, which literal text and which substitution indexes make it up; each record then only
 * reads its value descriptors and decodes the few values the plan names. Offsets are relative to the chunk,
 * every read is checked against the stream it belongs to, and walking is bounded (depth, nesting, and a byte
 * budget for template definitions per chunk), so a hostile chunk costs time linear in its size.
 *
 * Field evidence follows the same idea: the plan lists each EventData/UserData field with the parts that fill
 * it, and a record's field is told present or empty from its value descriptor (size, type) and at most its
 * first two characters, never decoding the value; only the few fields whose values are counted
 * (data/evidence-fields.yaml) are decoded.
 */

import { decode, filetimeMs } from './binxml-values.js';
import { F, FIELDS, Fields, fieldsOf, T_DATA, T_NAME, userData, type BinXmlLimits, type FieldOptions, type Part, type Plan } from './binxml-plan.js';

export { F, Fields, type BinXmlLimits, type FieldOptions };

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Which System field an element's text is, or -1. */
function textField(name: string | undefined, parent: string | undefined): number {
  if (parent !== 'System') return -1;
  return name === 'EventID' ? F.EventId : name === 'Channel' ? F.Channel : name === 'Computer' ? F.Computer : -1;
}
/** Which System field an attribute is, or -1. */
function attrField(elem: string | undefined, parent: string | undefined, attr: string): number {
  if (parent !== 'System') return -1;
  if (elem === 'Provider') return attr === 'Name' ? F.Provider : -1;
  if (elem === 'EventID') return attr === 'Qualifiers' ? F.Qualifiers : -1;
  return elem === 'TimeCreated' && attr === 'SystemTime' ? F.Time : -1;
}

/** Reads the BinXml of one chunk's records; holds the chunk's name and template caches. */
export class ChunkReader {
  private names = new Map<number, string>();
  private plans = new Map<number, Plan | null>();
  private budget: number;
  /** Set when a template definition was refused for the byte budget (the caller notes it). */
  budgetHit = false;
  /** Scratch for value offsets, grown as needed (one record at a time; nested values are copied out first). */
  private offs = new Int32Array(64);

  /** Field evidence is gathered only when asked for (the counts alone need none of it). */
  constructor(
    private readonly c: Buffer,
    private readonly lim: BinXmlLimits,
    private readonly fieldOpts?: FieldOptions,
  ) {
    this.budget = lim.templateBytesPerChunk;
  }

  /** Reads the record's BinXml in [start, end) into out; false when it is malformed. */
  readRecord(start: number, end: number, out: Fields): boolean {
    out.reset();
    return this.walk(start, end, 0, [], out, null) >= 0;
  }

  /** A name structure (unknown u32, hash u16, length u16, UTF-16 text, NUL); cached by offset. */
  private nameAt(off: number): string | undefined {
    const hit = this.names.get(off);
    if (hit !== undefined || off + 8 > this.c.length) return hit;
    const n = this.c.readUInt16LE(off + 6);
    if (off + 10 + 2 * n > this.c.length) return undefined;
    const s = this.c.toString('utf16le', off + 8, off + 8 + 2 * n);
    this.names.set(off, s);
    return s;
  }

  /** A name reference at p (u32 chunk offset): the name, and the position after the reference and, when the name is defined right there, after its definition too. */
  private nameRef(p: number, end: number): [string, number] | undefined {
    if (p + 4 > end) return undefined;
    const off = this.c.readUInt32LE(p);
    const name = this.nameAt(off);
    if (name === undefined) return undefined;
    const after = off === p + 4 ? p + 14 + 2 * name.length : p + 4; // defined right here, or earlier in the chunk
    return after <= end ? [name, after] : undefined;
  }

  /**
   * Element starts carry a 2-byte dependency id, except (per libyal) in nested BinXml values. There the two
   * layouts are told apart by where the name offset points: at an inline name right after it, or at a name
   * already seen in this chunk.
   */
  private hasDependencyId(p: number, end: number): boolean {
    const c = this.c;
    if (p + 11 > end) return false;
    const withId = c.readUInt32LE(p + 7);
    const without = c.readUInt32LE(p + 5);
    if (withId === p + 11) return true;
    if (without === p + 9) return false;
    return this.names.has(withId) || !this.names.has(without);
  }

  /**
   * Walks tokens in [p, end). plan null: a record or nested value, text goes into out; otherwise a template
   * definition being compiled into plan. Returns the position after the stream's end token, or -1.
   */
  private walk(p: number, end: number, nesting: number, stack: string[], out: Fields, plan: Plan | null): number {
    const c = this.c;
    let pending: string | undefined; // element whose start tag is open
    let target = textField(stack[stack.length - 1], stack[stack.length - 2]);
    const fieldsOn = this.fieldOpts !== undefined;
    let dname: string | undefined; // Name attribute of the EventData Data element being opened; undefined: none or not literal
    let cur: { name: string; parts: Part[]; depth: number } | undefined; // the field whose text follows
    /** Text of the current target; false when a template holds more parts than a field can. */
    const emit = (s: string): boolean => {
      if (target < 0) return true;
      if (target === T_NAME) {
        if (dname !== undefined && dname.length < this.lim.maxFieldChars) dname += s;
        return true;
      }
      if (target === T_DATA) {
        if (!cur) return true;
        if (plan) return dataPart(s);
        const before = (cur.parts[0] as string | undefined) ?? '';
        if (before.length < this.lim.valueChars) cur.parts[0] = before + s;
        return true;
      }
      if (plan) return add(target, s);
      if (out.systemDone) return true;
      const before = out.text[target] ?? '';
      if (before.length < this.lim.maxFieldChars) out.text[target] = (before + s).slice(0, this.lim.maxFieldChars);
      return true;
    };
    /** A field ends: into the plan, or (a record's own tokens) told present or empty from its text right away. */
    const commit = (name: string, parts: Part[]) => {
      if (!fieldsOn) return;
      if (plan) {
        // Each part is a step per record: their sum is capped too (real fields have one part each).
        plan.dataParts += Math.max(parts.length, 1);
        if (plan.data.length < this.lim.fieldsPerKind && plan.dataParts <= 2 * this.lim.fieldsPerKind)
          plan.data.push({ name, parts, value: this.fieldOpts.values.has(name) });
        else plan.dataCut = true;
        return;
      }
      const text = (parts[0] as string | undefined) ?? '';
      out.addKnown([name], 4 * this.lim.fieldsPerKind);
      if (text !== '' && text !== '-') out.addPresent(name, 4 * this.lim.fieldsPerKind);
      if (this.fieldOpts.values.has(name)) out.addValue(name, text.slice(0, this.lim.valueChars), this.lim.fieldsPerKind);
    };
    /** A part of the open field's text; past the limit the template's fields are not examined (its System fields still are). */
    const dataPart = (part: Part): true => {
      if (cur!.parts.push(part) > this.lim.maxPlanEntries) {
        plan!.dataCut = true;
        cur = undefined;
      }
      return true;
    };
    /** Whether an element opened at depth (its index in stack) is a UserData field: below UserData's own child. */
    const userLeaf = (depth: number) => {
      const u = userData(stack);
      return u >= 0 && depth >= u + 2;
    };
    // A template is compiled once but evaluated per record: its size per field is capped so that a hostile
    // one costs no more per record than a real one.
    const add = (f: number, part: Part) => {
      const parts = (plan!.parts[f] ??= []);
      return parts.push(part) <= this.lim.maxPlanEntries;
    };
    while (p < end) {
      const tok = c[p]!;
      const base = tok & 0xbf;
      // only these tokens take the "more data follows" flag (0x40)
      if (tok !== base && base !== 0x01 && (base < 0x05 || base > 0x09)) return -1;
      switch (base) {
        case 0x00:
          return p + 1;
        case 0x0f: // fragment header: version 1.1, flags
          p += 4;
          break;
        case 0x01: {
          if (pending !== undefined) return -1;
          const q = p + 1 + (plan || this.hasDependencyId(p, end) ? 2 : 0) + 4; // token, dependency id, data size
          const nr = this.nameRef(q, end);
          if (!nr) return -1;
          pending = nr[0];
          p = nr[1] + (tok & 0x40 ? 4 : 0); // attribute list size
          target = -1;
          dname = undefined;
          if (cur && stack.length === cur.depth) cur = undefined; // an element inside: not a leaf after all
          break;
        }
        case 0x06: {
          const nr = this.nameRef(p + 1, end);
          if (!nr || pending === undefined) return -1;
          target = attrField(pending, stack[stack.length - 1], nr[0]);
          if (target < 0 && pending === 'Data' && nr[0] === 'Name' && stack[stack.length - 1] === 'EventData') {
            target = T_NAME;
            dname = '';
          }
          p = nr[1];
          break;
        }
        case 0x02: // '>' of a start tag
          if (pending === undefined || stack.length >= this.lim.maxElementDepth) return -1;
          stack.push(pending);
          target = textField(pending, stack[stack.length - 2]);
          {
            const field = !fieldsOn
              ? undefined
              : pending === 'Data' && stack[stack.length - 2] === 'EventData'
                ? dname
                : userLeaf(stack.length - 1)
                  ? pending
                  : undefined;
            if (field) {
              cur = { name: field, parts: [], depth: stack.length };
              target = T_DATA;
            }
          }
          pending = undefined;
          dname = undefined;
          p += 1;
          break;
        case 0x03: // '/>'
        case 0x04: // end tag
          if ((tok === 0x03) !== (pending !== undefined)) return -1;
          if (tok === 0x03) {
            // an empty field: <Data Name="X"/>, or a UserData leaf with no text
            if (pending === 'Data' && stack[stack.length - 1] === 'EventData') {
              if (dname) commit(dname, []);
            } else if (userLeaf(stack.length)) commit(pending!, []);
          }
          if (tok === 0x04 && stack.pop() === undefined) return -1;
          if (tok === 0x04 && cur && stack.length === cur.depth - 1) {
            commit(cur.name, cur.parts);
            cur = undefined;
          }
          pending = undefined;
          dname = undefined;
          target = textField(stack[stack.length - 1], stack[stack.length - 2]);
          p += 1;
          break;
        case 0x05: // value text, always a UTF-16 string
        case 0x07: // CDATA
        case 0x0b: {
          // PI data
          const q = tok === 0x05 || tok === 0x45 ? p + 2 : p + 1;
          if (q + 2 > end || (q === p + 2 && c[p + 1] !== 0x01)) return -1;
          const n = c.readUInt16LE(q);
          if (q + 2 + 2 * n > end) return -1;
          if (tok !== 0x0b && !emit(c.toString('utf16le', q + 2, q + 2 + 2 * Math.min(n, this.lim.maxFieldChars)))) return -1;
          p = q + 2 + 2 * n;
          break;
        }
        case 0x08: // character reference
          if (p + 3 > end) return -1;
          if (!emit(String.fromCharCode(c.readUInt16LE(p + 1)))) return -1;
          p += 3;
          break;
        case 0x09: // entity reference
        case 0x0a: {
          // PI target
          const nr = this.nameRef(p + 1, end);
          if (!nr) return -1;
          if (tok !== 0x0a && !emit(ENTITIES[nr[0]] ?? '')) return -1;
          p = nr[1];
          break;
        }
        case 0x0c: // template instance: not expected inside a definition
          if (plan) return -1;
          p = this.instance(p, end, nesting, stack, out);
          if (p < 0) return -1;
          break;
        case 0x0d:
        case 0x0e: {
          if (p + 4 > end) return -1;
          const index = c.readUInt16LE(p + 1);
          if (plan && target === T_NAME)
            dname = undefined; // a name given by the record: not a field name the template knows
          else if (plan && target === T_DATA) {
            if (cur) dataPart(index);
          } else if (plan && target >= 0) {
            if (!add(target, index)) return -1;
          } else if (plan && pending === undefined && c[p + 3] === 0x21 && !plan.nested.some((x) => x.index === index)) {
            // each value is walked at most once per instance, however often the template names it
            if (plan.nested.push({ index, stack: stack.slice(), system: stack.includes('System') }) > this.lim.maxPlanEntries) return -1;
          }
          p += 4;
          break;
        }
        default:
          return -1;
      }
    }
    return p;
  }

  /**
   * Compiles (once per chunk and place) the template definition at off: next offset, GUID, data size, data.
   * A template instance inside a BinXml value that fills `<UserData>` or `<EventData>` holds fields only by
   * where it stands: that place (from UserData on, or EventData) is walked with it and is part of the key.
   */
  private plan(off: number, stack: string[]): Plan | null {
    const u = this.fieldOpts ? userData(stack) : -1;
    const ctx = u >= 0 ? stack.slice(u) : this.fieldOpts && stack[stack.length - 1] === 'EventData' ? ['EventData'] : [];
    const key = off * 128 + (u >= 0 ? 1 + ctx.length : ctx.length); // ctx: at most maxElementDepth (64) names
    const hit = this.plans.get(key);
    if (hit !== undefined) return hit;
    let plan: Plan | null = null;
    if (off + 24 <= this.c.length) {
      const size = this.c.readUInt32LE(off + 20);
      if (size > this.budget) this.budgetHit = true;
      else if (off + 24 + size <= this.c.length) {
        this.budget -= size;
        plan = { parts: new Array<Part[] | undefined>(FIELDS).fill(undefined), nested: [], data: [], dataParts: 0, names: [], dataCut: false };
        if (this.walk(off + 24, off + 24 + size, 0, ctx, new Fields(), plan) < 0) plan = null;
        else plan.names = plan.data.map((e) => e.name);
      }
    }
    this.plans.set(key, plan);
    return plan;
  }

  /** A template instance at p: header, definition (inline the first time), value descriptors, values. */
  private instance(p: number, end: number, nesting: number, stack: string[], out: Fields): number {
    const c = this.c;
    if (nesting >= this.lim.maxNesting || p + 10 > end) return -1;
    const def = c.readUInt32LE(p + 6);
    let q = p + 10;
    if (def === q) {
      if (q + 24 > end) return -1;
      q += 24 + c.readUInt32LE(q + 20);
    }
    const plan = this.plan(def, stack);
    if (!plan || q + 4 > end) return -1;
    const n = c.readUInt32LE(q);
    if (n > (end - q - 4) / 4) return -1;
    const desc = q + 4;
    if (this.offs.length < n) this.offs = new Int32Array(n);
    let v = desc + 4 * n;
    for (let i = 0; i < n; i++) {
      this.offs[i] = v;
      v += c[desc + 4 * i]! | (c[desc + 4 * i + 1]! << 8); // in bounds: n was checked against end
    }
    if (v > end) return -1;
    const size = (i: number) => c[desc + 4 * i]! | (c[desc + 4 * i + 1]! << 8);
    const type = (i: number) => c[desc + 4 * i + 2]!;
    for (let f = 0; f < FIELDS && !out.systemDone; f++) {
      const parts = plan.parts[f];
      if (!parts || out.text[f] !== undefined) continue;
      let s = '';
      for (const part of parts) {
        if (typeof part === 'string') s += part;
        else if (part < n) {
          const t = type(part);
          const at = this.offs[part]!;
          // the usual TimeCreated: a FILETIME kept as a number (formatting every record's time is costly)
          if (f === (F.Time as number) && t === 0x11 && size(part) === 8 && parts.length === 1) out.timeMs = filetimeMs(c, at);
          else s += decode(c, at, size(part), t, this.lim.maxFieldChars) ?? '';
        }
      }
      if (s !== '') out.text[f] = s.length > this.lim.maxFieldChars ? s.slice(0, this.lim.maxFieldChars) : s;
    }
    if (this.fieldOpts && !out.fieldsCut) fieldsOf(this.c, this.offs, plan, n, desc, out, this.lim);
    const all = !out.complete();
    if (plan.nested.length && (all || this.fieldOpts)) {
      // The System element (or part of it) came in a BinXml value: walk those values in their place. With
      // field evidence, the values outside System are walked too (UserData is often one), System left alone.
      const nested = plan.nested
        .filter((x) => x.index < n && type(x.index) === 0x21 && (all || !x.system))
        .map((x) => ({ at: this.offs[x.index]!, len: size(x.index), stack: [...stack, ...x.stack] }));
      const done = out.systemDone;
      if (!all) out.systemDone = true;
      for (const x of nested) {
        if (this.walk(x.at, x.at + x.len, nesting + 1, x.stack, out, null) < 0) {
          if (all) return -1;
          out.fieldsCut = true; // the record's System fields stand; only its fields are unknown
        }
      }
      out.systemDone = done;
    }
    return v;
  }
}
