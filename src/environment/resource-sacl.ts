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
  const sections: { kind?: Kind; lines: { no: number; raw: string }[] }[] = [];
  let cur: (typeof sections)[number] | undefined;
  text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\n|\r/)
    .forEach((raw, i) => {
      const h = HEADER.exec(raw);
      if (h) {
        const type = /\/type:(\w+)/i.exec(h[1]!)?.[1];
        const kind = type ? kindOf(type) : undefined;
        if (!/auditpol/i.test(h[1]!) || !kind) out.notes.push(`line ${i + 1}: header "${h[1]}" is not an auditpol /resourceSACL /type:File|Key command; its output is ignored`);
        sections.push((cur = { lines: [], ...(kind && /auditpol/i.test(h[1]!) ? { kind } : {}) }));
        return;
      }
      if (!cur) sections.push((cur = { lines: [] })); // output without the script's headers
      cur.lines.push({ no: i + 1, raw });
    });
  for (const s of sections) {
    const r = readSection(s.lines, out.notes);
    if (r === undefined) continue;
    // Without a header, the entries' own "Resource Type" tells which SACL this is.
    const kind = s.kind ?? r.entryKind;
    if (!kind) {
      if (r.sacl.present || r.sacl.message) out.notes.push('auditpol /resourceSACL output without a "==== …/type:…" header and no Resource Type; ignored');
      continue;
    }
    if (out[kind]) out.notes.push(`the ${kind} global SACL is listed twice; the later one is used`);
    out[kind] = r.sacl;
  }
  return out;
}

function readSection(lines: { no: number; raw: string }[], notes: string[]): { sacl: GlobalSacl; entryKind?: Kind } | undefined {
  const entries: GlobalSaclEntry[] = [];
  let entry: GlobalSaclEntry | undefined;
  let last: keyof GlobalSaclEntry | undefined;
  let entryKind: Kind | undefined;
  const other: string[] = [];
  for (const { no, raw } of lines) {
    const t = raw.trim();
    if (t === '') continue;
    // auditpol errors read "Error 0x00000522 occurred:" followed by the system message.
    if (/^Error 0x[0-9a-f]+ occurred/i.test(t)) {
      notes.push(`line ${no}: auditpol failed (${t}); that global SACL is unknown`);
      return undefined;
    }
    const kv = /^([A-Za-z][A-Za-z ]*?)\s*:\s*(.*)$/.exec(t);
    if (kv) {
      const key = kv[1]!.toLowerCase();
      const value = kv[2]!.trim();
      if (key === 'entry') {
        entries.push((entry = {}));
        last = undefined;
        continue;
      }
      const field = Object.hasOwn(FIELDS, key) ? FIELDS[key] : undefined;
      if (field === undefined) {
        // Not an entry field: a message such as the "no entries" text, which may itself contain a colon.
        other.push(t);
        last = undefined;
        continue;
      }
      if (!entry) entries.push((entry = {})); // an entry printed without its "Entry:" line
      last = field === 'type' ? undefined : field;
      if (field === 'type') entryKind = kindOf(value) ?? entryKind;
      if (last && value) entry[last] = value;
      continue;
    }
    // Continuation of a multi-line value (the access list is printed one right per line).
    if (entry && last && /^\s/.test(raw)) {
      entry[last] = entry[last] ? `${entry[last]} ${t}` : t;
      continue;
    }
    other.push(t);
  }
  if (entries.length > 0) {
    // auditpol ends every successful command with "The command was successfully executed."
    const extra = other.filter((t) => !/successfully executed/i.test(t));
    if (extra.length) notes.push(`text outside the entries ignored: "${extra.join(' ').slice(0, 80)}"`);
    return { sacl: { present: true, entries }, ...(entryKind ? { entryKind } : {}) };
  }
  if (other.length === 0 && lines.every((l) => l.raw.trim() === '')) {
    // No output at all: auditpol printed nothing, which is what an empty global SACL looks like on some builds.
    return lines.length ? { sacl: { present: false, entries: [] } } : undefined;
  }
  return { sacl: { present: false, entries: [], message: other.join(' ') } };
}
