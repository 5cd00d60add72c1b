/**
 * Global object access auditing ("global SACL", `auditpol /resourceSACL … /view`). File System and Registry
 * auditing (4656/4663) only produce events for objects that carry a SACL; a global SACL gives every file or
 * key one. Without it, file/registry rules fire only where someone set SACLs by hand.
 *
 * Input: the outputs of `auditpol /resourceSACL /type:File /view` and `/type:Key /view`, each preceded by a
 * `==== auditpol /resourceSACL /type:<T> /view` line written by the collection script. Entry lines are
 * "Key: value" (Entry, Resource Type, User, Flags, Condition, Accesses); an access list may continue on
 * indented lines.
 */
import { LIMITS } from '../limits.js';
import { cappedNotes, forEachLine } from '../lines.js';
import { HEADER } from './wevtutil.js';

export interface GlobalSaclEntry {
  user?: string;
  access?: string;
  /** "Success", "Failure", "Success Failure". */
  flags?: string;
  condition?: string;
}

export interface GlobalSacl {
  /** false: the command ran and listed no entry. */
  present: boolean;
  entries: GlobalSaclEntry[];
  /** What auditpol printed when it listed no entry. */
  message?: string;
}

export interface ResourceSacls {
  /** undefined: not collected, or the command failed (see notes). */
  file?: GlobalSacl;
  registry?: GlobalSacl;
  notes: string[];
  /** Set when a limit stopped the reading (why): a global SACL not read before it is unknown. */
  partial?: string;
}

type Kind = 'file' | 'registry';

const FIELDS: Record<string, keyof GlobalSaclEntry | 'type'> = {
  'resource type': 'type',
  user: 'user',
  flags: 'flags',
  condition: 'condition',
  accesses: 'access',
  access: 'access',
};

const kindOf = (s: string): Kind | undefined => (/^file$/i.test(s) ? 'file' : /^(key|registry)$/i.test(s) ? 'registry' : undefined);

export function parseResourceSacl(text: string): ResourceSacls {
  const out: ResourceSacls = { notes: [] };
  const notes = cappedNotes(out.notes);
  // Read line by line into the section at hand, never into an array of lines: memory stays the entries'.
  let cur: Section | undefined;
  const close = () => {
    if (!cur) return;
    const r = cur.end(notes.add);
    const s = cur;
    cur = undefined;
    if (r === undefined) return;
    // Without a header, the entries' own "Resource Type" tells which SACL this is.
    const kind = s.kind ?? r.entryKind;
    if (!kind) {
      if (r.sacl.present || r.sacl.message) notes.add('auditpol /resourceSACL output without a "==== …/type:…" header and no Resource Type; ignored');
      return;
    }
    if (out[kind]) notes.add(`the ${kind} global SACL is listed twice; the later one is used`);
    out[kind] = r.sacl;
  };
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  forEachLine(body, (raw, no) => {
    if (no > LIMITS.host.saclLines) {
      out.partial = `more than ${LIMITS.host.saclLines.toLocaleString('en-US')} lines (limit)`;
      // The section being read is cut: with an entry it is known to exist, without one nothing is known.
      if (cur && !cur.hasEntries()) cur = undefined;
      return false;
    }
    const h = HEADER.exec(raw);
    if (h) {
      close();
      const type = /\/type:(\w+)/i.exec(h[1]!)?.[1];
      const kind = type ? kindOf(type) : undefined;
      const ok = /auditpol/i.test(h[1]!) && kind !== undefined;
      if (!ok) notes.add(`line ${no}: header "${h[1]!.slice(0, 80)}" is not an auditpol /resourceSACL /type:File|Key command; its output is ignored`);
      cur = new Section(ok ? kind : undefined);
      return true;
    }
    cur ??= new Section(undefined); // output without the script's headers
    cur.line(no, raw, notes.add);
    return true;
  });
  close();
  if (out.partial) notes.add(`${out.partial}: the rest of the file is not read; a global SACL not listed before it is unknown`);
  notes.end();
  return out;
}

/** Lines of text outside the entries kept for the message (the "no entries" text is one or two). */
const OTHER_KEPT = 20;

/** One command's output, read a line at a time. */
class Section {
  private entries: GlobalSaclEntry[] = [];
  private entry: GlobalSaclEntry | undefined;
  private last: keyof GlobalSaclEntry | undefined;
  private entryKind: Kind | undefined;
  private other: string[] = [];
  private lines = 0;
  private failed = false;

  constructor(readonly kind: Kind | undefined) {}

  hasEntries(): boolean {
    return this.entries.length > 0 && !this.failed;
  }

  line(no: number, raw: string, note: (n: string) => void): void {
    this.lines++;
    if (this.failed) return;
    const t = raw.trim();
    if (t === '') return;
    // auditpol errors read "Error 0x00000522 occurred:" followed by the system message.
    if (/^Error 0x[0-9a-f]+ occurred/i.test(t)) {
      note(`line ${no}: auditpol failed (${t.slice(0, 120)}); that global SACL is unknown`);
      this.failed = true;
      return;
    }
    const kv = /^([A-Za-z][A-Za-z ]*?)\s*:\s*(.*)$/.exec(t);
    if (kv) {
      const key = kv[1]!.toLowerCase();
      const value = kv[2]!.trim();
      if (key === 'entry') {
        this.entries.push((this.entry = {}));
        this.last = undefined;
        return;
      }
      const field = Object.hasOwn(FIELDS, key) ? FIELDS[key] : undefined;
      if (field === undefined) {
        // Not an entry field: a message such as the "no entries" text, which may itself contain a colon.
        this.keepOther(t);
        this.last = undefined;
        return;
      }
      if (!this.entry) this.entries.push((this.entry = {})); // an entry printed without its "Entry:" line
      this.last = field === 'type' ? undefined : field;
      if (field === 'type') this.entryKind = kindOf(value) ?? this.entryKind;
      if (this.last && value) this.entry[this.last] = value;
      return;
    }
    // Continuation of a multi-line value (the access list is printed one right per line).
    if (this.entry && this.last && /^\s/.test(raw)) {
      const had = this.entry[this.last];
      this.entry[this.last] = had ? `${had} ${t}` : t;
      return;
    }
    this.keepOther(t);
  }

  private otherCount = 0;
  private keepOther(t: string): void {
    this.otherCount++;
    if (this.other.length < OTHER_KEPT) this.other.push(t.slice(0, 200));
  }

  end(note: (n: string) => void): { sacl: GlobalSacl; entryKind?: Kind } | undefined {
    if (this.failed) return undefined;
    const entryKind = this.entryKind ? { entryKind: this.entryKind } : {};
    if (this.entries.length > 0) {
      // auditpol ends every successful command with "The command was successfully executed."
      const extra = this.other.filter((t) => !/successfully executed/i.test(t));
      if (extra.length) note(`text outside the entries ignored: "${extra.join(' ').slice(0, 80)}"`);
      return { sacl: { present: true, entries: this.entries }, ...entryKind };
    }
    if (this.otherCount === 0) {
      // No output at all: auditpol printed nothing, which is what an empty global SACL looks like on some builds.
      return this.lines ? { sacl: { present: false, entries: [] } } : undefined;
    }
    return { sacl: { present: false, entries: [], message: this.other.join(' ') } };
  }
}
