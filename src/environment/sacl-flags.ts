/**
 * Which outcomes a global SACL audits. An audit ACE logs successful accesses, failed ones, or both; a
 * failure-only SACL (`S:(AU;FA;…)`, "Flags: Failure") writes 4656/4663 only for denied accesses, so it never
 * satisfies a rule that reads successful ones. The requirement ids follow the outcome (producers.ts):
 * `sacl:file` is the success side, `sacl:file:failure` the failure side.
 *
 * SDDL ACE strings ([MS-DTYP] 2.5.1.1): `(type;flags;rights;object;inherit-object;sid)`; audit types AU, OU
 * (object audit), XU (callback audit); the flags SA / FA mark successful / failed access auditing.
 */
import type { HostEnvironment } from './model.js';

export interface SaclOutcomes {
  success: boolean;
  failure: boolean;
  /** The flags could not be read (localized auditpol text, an SDDL with no audit ACE): neither side is known. */
  unread?: string;
}

const AUDIT_ACE = /\(\s*(AU|OU|XU)\s*;([^;)]*);/gi;

/** Outcomes of the audit ACEs of an SDDL string's SACL part ("S:…"). */
export function sddlOutcomes(sddl: string): SaclOutcomes {
  const sacl = sddl.slice(Math.max(0, sddl.search(/S:/i)));
  let success = false;
  let failure = false;
  let aces = 0;
  for (const m of sacl.matchAll(AUDIT_ACE)) {
    aces++;
    const flags: string[] = (m[2] ?? '').toUpperCase().match(/.{1,2}/g) ?? [];
    if (flags.includes('SA')) success = true;
    if (flags.includes('FA')) failure = true;
  }
  if (!aces) return { success, failure, unread: 'no audit ACE in the SDDL' };
  return { success, failure };
}

/** Outcomes of auditpol /resourceSACL /view entries ("Flags: Success Failure"); English only. */
export function entryOutcomes(flags: (string | undefined)[]): SaclOutcomes {
  let success = false;
  let failure = false;
  for (const f of flags) {
    if (f === undefined || !/success|failure/i.test(f))
      return { success: false, failure: false, unread: `flags "${(f ?? '').slice(0, 40)}" not understood (English auditpol output expected)` };
    if (/success/i.test(f)) success = true;
    if (/failure/i.test(f)) failure = true;
  }
  return { success, failure };
}

/**
 * Sets both sides of a global SACL on the host. `present` false: the command listed no entry (both off).
 * Unread flags leave both sides unknown (absent from the map), with a note: a SACL that may be failure-only
 * is never counted as auditing successes.
 */
export function setGlobalSacl(host: HostEnvironment, kind: 'file' | 'registry', present: boolean, outcomes: SaclOutcomes | undefined, source: string): void {
  if (!present) {
    host.sacl.set(kind, { state: 'off', source });
    host.sacl.set(`${kind}:failure`, { state: 'off', source });
    return;
  }
  if (!outcomes || outcomes.unread) {
    host.notes.push(
      `${source}: the global ${kind} SACL is set but which outcomes it audits is not known (${outcomes?.unread ?? 'no flags'}); it counts for neither side`,
    );
    return;
  }
  const side = (on: boolean, what: string) => ({ state: on ? ('on' as const) : ('off' as const), source: on ? source : `${source}: audits ${what} only` });
  host.sacl.set(kind, side(outcomes.success, 'failed accesses'));
  host.sacl.set(`${kind}:failure`, side(outcomes.failure, 'successful accesses'));
}
