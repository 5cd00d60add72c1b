/**
 * sacls.txt: the audit SACLs of the registry keys and folders a rule set watches, as `collect-script <rules>
 * --format ps1` reads them with Get-Acl -Audit (format: src/generate/collect-sacls.ts, docs/collection.md).
 *
 * What is not read in full is never taken as read: a block without its "end" line, a file without its "done"
 * line, a line past LIMITS.host.objectSaclLines, an audit line that does not parse — each leaves the paths it
 * touches unknown (status "cut" or "error"), never "no SACL".
 */
import { createHash } from 'node:crypto';
import { LIMITS } from '../limits.js';
import { cappedNotes, forEachLine } from '../lines.js';

export interface AuditAce {
  /** The trustee as a SID (GetAuditRules(…, [SecurityIdentifier])): S-1-1-0 is Everyone in every language. */
  sid: string;
  /** The access mask (RegistryRights / FileSystemRights as a number; generic rights included). */
  rights: number;
  success: boolean;
  failure: boolean;
  containerInherit: boolean;
  objectInherit: boolean;
  /** InheritOnly: the entry applies to children only, not to the key or folder that holds it. */
  inheritOnly: boolean;
  noPropagate: boolean;
  /** Inherited from a parent (IsInherited): Get-Acl lists what the object has, inherited entries included. */
  inherited: boolean;
}

export type SaclStatus = 'found' | 'not-found' | 'access-denied' | 'error' | 'cut';

export interface ObjectSacl {
  kind: 'registry' | 'file';
  /** As the script wrote it: HKLM:\… or C:\… */
  path: string;
  status: SaclStatus;
  /** Why, for access-denied, error and cut. */
  message?: string;
  aces: AuditAce[];
}

export interface ObjectSacls {
  /** By lower-cased path (registry and NTFS paths are case-insensitive). */
  paths: Map<string, ObjectSacl>;
  /** The "done" line was read: a watched path not in `paths` was not in the script's list. */
  complete: boolean;
  /** Why the file was read only in part (a limit, no "done" line): paths not read are unknown. */
  partial?: string;
  notes: string[];
  /** What the SACLs are, as one string: hosts with the same one get the same per-rule states. */
  digest: string;
}

export const SACLS_HEADER = 'logsource-check sacls 1';

const FLAGS = /^(None|Success|Failure|Success,Failure|Failure,Success)$/;
const INHERIT = /^(None|ContainerInherit|ObjectInherit|ContainerInherit,ObjectInherit|ObjectInherit,ContainerInherit)$/;
const PROPAGATE = /^(None|InheritOnly|NoPropagateInherit|NoPropagateInherit,InheritOnly|InheritOnly,NoPropagateInherit)$/;
const SID = /^S-1(-\d+){1,15}$/;

/** A %XX-escaped field back to its text; a "%" not followed by two hex digits is kept (and noted). */
function unescapeField(s: string, bad: () => void): string {
  return s.replace(/%([0-9A-Fa-f]{2})?/g, (m, hex: string | undefined) => {
    if (hex === undefined) {
      bad();
      return m;
    }
    return String.fromCharCode(parseInt(hex, 16));
  });
}

export function parseSacls(text: string): ObjectSacls {
  const out: ObjectSacls = { paths: new Map(), complete: false, notes: [], digest: createHash('sha1').update(text).digest('hex') };
  const notes = cappedNotes(out.notes);
  let cur: (ObjectSacl & { expect?: number; line: number }) | undefined;
  let header = false;
  let blank = 0;
  let boms = 0;
  let doneCount: number | undefined;
  const cut = (why: string) => {
    if (!cur) return;
    put({ ...cur, status: 'cut', message: why, aces: [] });
    cur = undefined;
  };
  const put = (s: ObjectSacl & { line?: number; expect?: number }) => {
    const key = s.path.toLowerCase();
    if (out.paths.has(key)) notes.add(`${s.path} is listed twice; the later block is used`);
    out.paths.set(key, { kind: s.kind, path: s.path, status: s.status, ...(s.message !== undefined ? { message: s.message } : {}), aces: s.aces });
  };
  const fail = (no: number, why: string) => {
    if (!cur) return;
    notes.add(`line ${no}: ${why}; ${cur.path} is read as unknown`);
    cur = { ...cur, status: 'error', message: `line ${no}: ${why}` };
  };
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  forEachLine(body, (raw, no) => {
    if (no > LIMITS.host.objectSaclLines) {
      out.partial = `more than ${LIMITS.host.objectSaclLines.toLocaleString('en-US')} lines (limit)`;
      cut('the file was read only up to the line limit');
      return false;
    }
    let line = raw;
    if (line.charCodeAt(0) === 0xfeff) {
      boms++;
      line = line.slice(1);
    }
    if (!line.trim()) {
      blank++;
      return true;
    }
    if (!header) {
      if (line.trim() !== SACLS_HEADER) {
        if (/^logsource-check sacls /.test(line))
          throw new Error(`unsupported sacls.txt version ("${line.trim().slice(0, 40)}"; this release reads "${SACLS_HEADER}")`);
        throw new Error('not a sacls.txt written by collect-script (its first line is not "logsource-check sacls 1")');
      }
      header = true;
      return true;
    }
    if (doneCount !== undefined) {
      notes.add(`line ${no}: text after the "done" line, ignored`);
      return true;
    }
    const f = line.split('\t');
    const rec = f[0]?.trim();
    const badEscape = () => notes.add(`line ${no}: a "%" that is not an %XX escape, kept as written`);
    switch (rec) {
      case 'path': {
        if (cur) {
          notes.add(`line ${no}: the block of ${cur.path} has no "end" line; read as unknown`);
          cut('its block has no "end" line (cut off)');
        }
        const kind = f[1];
        const path = unescapeField(f.slice(2).join('\t'), badEscape);
        if ((kind !== 'registry' && kind !== 'file') || !path) {
          notes.add(`line ${no}: a path line without a kind (registry, file) and a path; its block is ignored`);
          cur = undefined;
          return true;
        }
        cur = { kind, path, status: 'cut', message: 'no status line', aces: [], line: no };
        return true;
      }
      case 'status': {
        if (!cur) return (notes.add(`line ${no}: a status line outside a path block, ignored`), true);
        const st = f[1];
        if (st === 'found') {
          const n = Number(f[2]);
          if (!Number.isInteger(n) || n < 0) fail(no, 'a "found" status without its number of audit entries');
          else cur = { ...cur, status: 'found', expect: n, message: undefined };
        } else if (st === 'not-found' || st === 'access-denied' || st === 'error') {
          cur = { ...cur, status: st, message: unescapeField(f.slice(2).join('\t'), badEscape).trim() || undefined };
        } else fail(no, `an unknown status "${(st ?? '').slice(0, 40)}"`);
        return true;
      }
      case 'audit': {
        if (!cur) return (notes.add(`line ${no}: an audit line outside a path block, ignored`), true);
        if (cur.status !== 'found') {
          if (cur.status !== 'error') fail(no, 'an audit line before a "found" status');
          return true;
        }
        const [, sid = '', mask = '', flags = '', inherit = '', propagate = '', origin = ''] = f.map((x) => x.trim());
        const rights = /^0x[0-9A-Fa-f]{1,8}$/.test(mask) ? parseInt(mask.slice(2), 16) : NaN;
        if (
          !SID.test(sid) ||
          Number.isNaN(rights) ||
          !FLAGS.test(flags) ||
          !INHERIT.test(inherit) ||
          !PROPAGATE.test(propagate) ||
          !/^(inherited|explicit)$/.test(origin)
        ) {
          fail(no, 'an audit line that does not read as SID, 0xRIGHTS, AuditFlags, InheritanceFlags, PropagationFlags, inherited|explicit');
          return true;
        }
        cur.aces.push({
          sid: sid.toUpperCase(),
          rights,
          success: flags.includes('Success'),
          failure: flags.includes('Failure'),
          containerInherit: inherit.includes('ContainerInherit'),
          objectInherit: inherit.includes('ObjectInherit'),
          inheritOnly: propagate.includes('InheritOnly'),
          noPropagate: propagate.includes('NoPropagateInherit'),
          inherited: origin === 'inherited',
        });
        return true;
      }
      case 'sddl':
        return true; // for the reader of the file: the audit lines say the same in fields
      case 'end': {
        if (!cur) return (notes.add(`line ${no}: an "end" line outside a path block, ignored`), true);
        if (cur.status === 'found' && cur.expect !== cur.aces.length)
          fail(no, `the status says ${cur.expect} audit entr${cur.expect === 1 ? 'y' : 'ies'}, the block lists ${cur.aces.length}`);
        put(cur);
        cur = undefined;
        return true;
      }
      case 'done': {
        if (cur) {
          notes.add(`line ${no}: the block of ${cur.path} has no "end" line; read as unknown`);
          cut('its block has no "end" line (cut off)');
        }
        const n = Number(f[1]);
        doneCount = Number.isInteger(n) ? n : -1;
        if (doneCount !== out.paths.size) {
          notes.add(`the "done" line counts ${f[1] ?? '?'} path(s), the file lists ${out.paths.size}; read as partial`);
          out.partial = `the "done" line counts ${f[1] ?? '?'} path(s), ${out.paths.size} are listed`;
        } else out.complete = true;
        return true;
      }
      default:
        notes.add(`line ${no}: an unknown record "${(rec ?? '').slice(0, 40)}", ignored`);
        return true;
    }
  });
  if (!header) throw new Error('empty: no "logsource-check sacls 1" line');
  if (cur) cut('its block has no "end" line (the file is cut off)');
  if (doneCount === undefined && !out.partial) out.partial = 'no "done" line: the file is cut off (the script did not finish)';
  if (boms) notes.add(`${boms} byte order mark(s) inside the file skipped (files joined together?)`);
  if (blank) notes.add(`${blank} blank line(s) skipped (CR CR LF line ends, or lines added by hand)`);
  notes.end();
  return out;
}
