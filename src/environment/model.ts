/** What one host (or one policy) actually has, merged from every input that describes it. */
import type { ForwardedSet } from './forwarded.js';
import type { SysmonConfig } from './sysmon.js';
import type { ObjectSacls } from './sacls.js';

export type State = 'on' | 'off' | 'unknown';

/** Audit setting of one subcategory. A side left undefined is not configured by the inputs. */
export interface AuditValue {
  success?: boolean;
  failure?: boolean;
  /** Where the value comes from: "gpresult results.xml (GPO SOC Audit Baseline)", "auditpol host.csv". */
  source: string;
  /** Not set by any input but concluded (a subcategory Group Policy's advanced audit leaves out is cleared). */
  inferred?: boolean;
}

export interface PolicyValue {
  state: 'on' | 'off';
  source: string;
  /** Why a policy that is set still does not count (e.g. module list without "*"). */
  detail?: string;
}

export interface EventLogValue {
  log: string;
  maxSizeKB?: number;
  /** AuditLogRetentionPeriod: 0 overwrite as needed, 1 by days, 2 never overwrite ([MS-GPSB] 2.2.3). */
  retention?: number;
  source: string;
  /** A policy (GPO Security Settings, administrative template) that sets this log's size: a local change is put back. */
  policy?: string;
}

/** How the host's policy is managed (environment/management.ts): domain GPO, workgroup (MDM or local only), unknown. */
export interface Management {
  kind: 'domain-gpo' | 'workgroup' | 'unknown';
  /** The input and what in it tells. */
  source: string;
}

/** What a host is: decides which role-bound events it can produce at all. */
export interface HostRole {
  /** member: joined, not a domain controller, client or server not told (gpresult says no more); standalone: in a workgroup, so not a domain controller either. */
  kind?: 'workstation' | 'member-server' | 'domain-controller' | 'member' | 'standalone';
  /** Server roles the host is known to have (certification-authority, dns-server …). */
  features: Set<string>;
  /** The roles were stated in full (--role, systeminfo + feature list): any role not listed is absent. */
  complete: boolean;
  source: string;
  /** Where a feature was seen, when not from `source` (a channel that exists only with the role). */
  evidence?: Map<string, string>;
  /** Roles known absent, with why (a full channel list without the role's channel). */
  absent?: Map<string, string>;
}

export interface ChannelState {
  name: string;
  /** false: the channel does not exist on the host (its role or feature is not installed). */
  exists: boolean;
  enabled?: boolean;
}

/** Where the host's audit policy comes from: decides what a remediation file may safely replace. */
export interface AuditOrigin {
  /** Legacy categories a GPO configures (AuditLogonEvents …). */
  legacy: string[];
  /** Advanced audit policy comes from Group Policy (applied over a cleared policy). */
  advancedGpo: boolean;
  /** GPOs that define audit policy: local changes are reverted when they refresh. */
  gpos: string[];
  /** "Audit: Force audit policy subcategory settings" as configured; undefined when not set. */
  force?: boolean;
}

export interface HostEnvironment {
  /** Computer name from the input (gpresult ComputerResults/Name, auditpol Machine Name) or the file name. */
  name: string;
  files: string[];
  /** Effective audit policy by upper-case subcategory GUID. */
  audit: Map<string, AuditValue>;
  /** Administrative-template policies by catalog slug. */
  policies: Map<string, PolicyValue>;
  /** Policies no input can tell (a snapshot without the registry export that holds them): why. */
  policyGaps?: Map<string, string>;
  eventLogs: Map<string, EventLogValue>;
  /** The Sysmon configuration deployed on the host, when given. */
  sysmon?: SysmonConfig;
  /** What the collector configurations forward (applies to every host), and from which files. */
  forwarded?: ForwardedSet;
  forwardedFrom?: string;
  role?: HostRole;
  /** Event channels as `wevtutil gl` shows them (a host snapshot), by lower-case name. */
  channels?: { list: Map<string, ChannelState>; complete: boolean; source: string };
  /** Whether the Sysmon service exists and runs (sc query in a host snapshot). */
  /** unknown: the inputs cannot rule out a Sysmon installed under another name (source says why). builtin: the Windows optional feature. */
  sysmonService?: { state: 'absent' | 'running' | 'stopped' | 'installed' | 'unknown'; source: string; version?: string; builtin?: boolean };
  /** Global object access auditing (global SACL) per resource type (file, registry), when an input shows it. */
  sacl: Map<string, { state: 'on' | 'off'; source: string }>;
  /** Per-object audit SACLs of the keys and folders a rule set watches (sacls.txt of a host snapshot). */
  objectSacls?: ObjectSacls & { source: string };
  auditOrigin?: AuditOrigin;
  /** Domain GPO or workgroup/MDM (gpresult, systeminfo): what the remediation steps tell the user to use. */
  management?: Management;
  /** Which kinds of requirement the inputs speak about at all. */
  covers: { audit: boolean; policies: boolean };
  notes: string[];
  /** Disagreements between inputs, e.g. gpresult configures Success but auditpol shows No Auditing. */
  conflicts: string[];
}

export function emptyHost(name: string): HostEnvironment {
  return {
    name,
    files: [],
    audit: new Map(),
    policies: new Map(),
    eventLogs: new Map(),
    sacl: new Map(),
    covers: { audit: false, policies: false },
    notes: [],
    conflicts: [],
  };
}

/** A file's notes into the host's, one by one (a spread of a long list overflows the stack). */
export function addNotes(host: HostEnvironment, file: string, list: readonly string[]): void {
  for (const n of list) host.notes.push(`${file}: ${n}`);
}

/** An input file that could not be used: reported with its path, the other inputs still count. */
export interface InputError {
  path: string;
  message: string;
}

/** "CONTOSO\WS-0142$" and "ws-0142" name the same host. */
export function hostKey(name: string): string {
  return (name.split('\\').pop() ?? name).replace(/\$$/, '').trim().toUpperCase();
}
