/**
 * Per-object SACLs, per rule: a rule with a `sacl:registry` / `sacl:file` requirement is on only where every
 * key or folder it watches (saclTargets, the list fix and collect-script use) has an audit entry that
 * applies to it, for the accesses the rule's events come from, on Success, for everyone (sacls.txt).
 *
 * An entry counts when:
 *  - it applies: a registry entry to the key itself (not InheritOnly: values are not objects, a write to a
 *    value is an access to its key); a folder entry to the files in it (ObjectInherit: file events are about
 *    the files). Get-Acl lists inherited entries too, so a SACL set on a parent and inherited counts;
 *  - its AuditFlags hold Success (a rule that also reads failed accesses needs Failure: without it, partial);
 *  - its rights cover the accesses saclTargets names (SetValue, CreateSubKey, Delete / WriteData, AppendData,
 *    Delete), generic rights mapped as Windows maps them (GENERIC_WRITE is KEY_WRITE / FILE_GENERIC_WRITE);
 *  - its trustee is Everyone (S-1-1-0) or Authenticated Users (S-1-5-11); another SID audits only that
 *    principal's accesses: partial coverage.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { AuditAce, ObjectSacls } from '../environment/sacls.js';
import { ruleSaclNeeds } from '../requirements/sacl-targets.js';
import { saclTargets, type SaclEntry } from '../requirements/sacl-targets.js';
import type { LoadedRule } from '../rules/model.js';
import type { RequirementState } from './verdict.js';

export interface Watched {
  registry: SaclEntry[];
  file: SaclEntry[];
  /** The rule reads failed accesses too. */
  failure: boolean;
}

/** Per rule index, the keys and folders it watches: computed once per rule (not per host), on first use. */
export function saclWatcher(
  loaded: readonly LoadedRule[],
  rules: readonly { branches: string[][][] }[],
  catalog: Catalog,
): (ri: number) => Watched | undefined {
  const done = new Map<number, Watched | undefined>();
  return (ri) => {
    if (done.has(ri)) return done.get(ri);
    const rule = loaded[ri];
    const row = rules[ri];
    let w: Watched | undefined;
    if (rule && row && rule.kind === 'rule') {
      const n = ruleSaclNeeds(
        row.branches.map((a) => a.flat()),
        catalog,
      );
      const one = new Set([rule]);
      const none = new Set<typeof rule>();
      const t = saclTargets([rule], { registry: n.registry ? one : none, file: n.file ? one : none, failure: n.failure ? one : none }, catalog.saclScope);
      w = { registry: [...t.registry.values()], file: [...t.file.values()], failure: n.failure };
    }
    done.set(ri, w);
    return w;
  };
}

const EVERYONE = new Set(['S-1-1-0', 'S-1-5-11']);
const GENERIC_ALL = 0x10000000;
const GENERIC_WRITE = 0x40000000;

/** Access-mask bits per right name; what GENERIC_WRITE stands for per object type. */
export const RIGHTS = {
  registry: { bits: { SetValue: 0x2, CreateSubKey: 0x4, Delete: 0x10000 } as Record<string, number>, genericWrite: 0x20006 },
  file: { bits: { WriteData: 0x2, AppendData: 0x4, Delete: 0x10000 } as Record<string, number>, genericWrite: 0x120116 },
};

function covers(kind: 'registry' | 'file', mask: number, right: string): boolean {
  const bit = RIGHTS[kind].bits[right];
  if (bit === undefined) return false;
  const m = (mask & GENERIC_ALL ? 0xffffffff : 0) | (mask & GENERIC_WRITE ? RIGHTS[kind].genericWrite : 0) | mask;
  return (m & bit) !== 0;
}

function applies(kind: 'registry' | 'file', a: AuditAce): boolean {
  return kind === 'registry' ? !a.inheritOnly : a.objectInherit;
}

type PathLevel = { level: 'full' | 'partial' | 'none'; why: string };

/**
 * How one watched key or folder is covered by its audit entries, on one side: `success` (sacl:<kind>) or
 * `failure` (sacl:<kind>:failure, for events written on denied accesses too).
 */
function pathLevel(kind: 'registry' | 'file', e: SaclEntry, aces: AuditAce[], side: 'success' | 'failure'): PathLevel {
  const need = [...e.rights];
  const flag = (a: AuditAce) => (side === 'success' ? a.success : a.failure);
  const label = side === 'success' ? 'Success' : 'Failure';
  const live = aces.filter((a) => applies(kind, a));
  const by = (pred: (a: AuditAce) => boolean, r: string) => live.some((a) => pred(a) && covers(kind, a.rights, r));
  const all = need.filter((r) => by((a) => flag(a) && EVERYONE.has(a.sid), r));
  if (all.length === need.length) return { level: 'full', why: '' };
  const some = need.filter((r) => by(flag, r));
  if (!some.length) {
    const elsewhere =
      aces.length && !live.length
        ? kind === 'registry'
          ? ' (its entries are InheritOnly: for subkeys only)'
          : ' (its entries do not apply to files: no ObjectInherit)'
        : '';
    return { level: 'none', why: `no ${label} entry for ${need.join(', ')}${elsewhere}` };
  }
  const others = [...new Set(live.filter((a) => flag(a) && !EVERYONE.has(a.sid)).map((a) => a.sid))];
  const onlyOthers = some.filter((r) => !all.includes(r));
  const lacking = need.filter((r) => !some.includes(r));
  const parts = [
    lacking.length ? `no ${label} entry for ${lacking.join(', ')}` : '',
    onlyOthers.length ? `${onlyOthers.join(', ')} audited only for ${others.slice(0, 2).join(', ')}` : '',
  ];
  return { level: 'partial', why: parts.filter(Boolean).join('; ') };
}

/** "a, b, c … 4 more" */
function list(items: string[]): string {
  return `${items.slice(0, 3).join(', ')}${items.length > 3 ? ` … ${items.length - 3} more` : ''}`;
}

const SETTLE = 'run collect-script <rules> --format ps1 on the host to read the SACLs of the watched paths';

/** The state of `sacl:<kind>` for one rule on one host, from sacls.txt. */
export function objectSaclState(
  kind: 'registry' | 'file',
  w: Watched,
  sacls: ObjectSacls & { source: string },
  side: 'success' | 'failure' = 'success',
): RequirementState {
  const what = kind === 'registry' ? 'key' : 'folder';
  const targets = w[kind];
  if (!targets.length)
    return {
      state: 'unknown',
      reason: `the rule names no fixed ${what} (a wildcard, a fragment or no root): ${sacls.source} cannot tell which ${what}s it watches`,
    };
  const missing: string[] = [];
  const unread: string[] = [];
  const full: string[] = [];
  const short: string[] = [];
  const absent: string[] = [];
  let partial = 0;
  for (const t of targets) {
    const s = sacls.paths.get(t.path.toLowerCase());
    if (!s || s.kind !== kind) missing.push(t.path);
    else if (s.status === 'not-found') absent.push(t.path);
    else if (s.status !== 'found') unread.push(`${t.path} (${s.status}${s.message ? `: ${s.message.slice(0, 120)}` : ''})`);
    else {
      const l = pathLevel(kind, t, s.aces, side);
      if (l.level === 'full') full.push(t.path);
      else {
        if (l.level === 'partial') partial++;
        short.push(`${t.path} (${l.why})`);
      }
    }
  }
  if (missing.length) {
    const why = sacls.complete ? `${sacls.source} was collected for another rule set` : `${sacls.source} is cut off (${sacls.partial ?? 'no "done" line'})`;
    return { state: 'unknown', reason: `${list(missing)} not in ${sacls.source} (${why}): ${SETTLE}` };
  }
  if (unread.length) return { state: 'unknown', reason: `${sacls.source} could not read the SACL of ${list(unread)}` };
  const n = targets.length;
  if (full.length === n)
    return { state: 'on', reason: `${sacls.source}: an audit SACL covers the ${n === 1 ? `watched ${what} ${targets[0]?.path}` : `${n} watched ${what}s`}` };
  // An absent key or folder gets its SACL from its parent when it is created: sacls.txt does not hold that one,
  // so absence proves neither on nor off. With nothing covered it leaves the rule unknown.
  const notFound = absent.map((p) => `${p} (not found on this host)`);
  if (!full.length && !partial && absent.length) {
    return {
      state: 'unknown',
      reason: `${sacls.source}: ${list(notFound)}: created later, it inherits its parent's SACL, which is not read${short.length ? `; no audit SACL on ${list(short)}` : ''}`,
    };
  }
  if (!full.length && !partial) return { state: 'off', reason: `${sacls.source}: no audit SACL on ${list(short)}` };
  return { state: 'partial', reason: `${sacls.source}: ${full.length} of ${n} watched ${what}s fully audited; not: ${list([...short, ...notFound])}` };
}
