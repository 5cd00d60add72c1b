/** Verdict counts of a host (or a fleet) and the honest denominator; see docs/verdicts.md. */
import { splitRequirement } from '../catalog/catalog.js';
import type { HostEnvironment } from '../environment/model.js';
import type { RequirementState, Verdict } from './verdict.js';
import type { BranchEvent } from '../requirements/sets.js';

export interface VerdictCounts {
  ready: number;
  /** Of the ready: ready only through a source that lacks a field the rule reads (4688 without OriginalFileName). */
  degraded: number;
  partial: number;
  blocked: number;
  /** Applicable Windows rules the inputs do not settle, rules whose log source the catalog lacks included. */
  unknown: number;
  /** Rules whose events this host's role never produces: outside the denominator. */
  notApplicable: number;
  /** ready + partial + blocked + unknown: the applicable Windows rules, the denominator of readiness. */
  applicable: number;
  /** ready / applicable, in percent, one decimal; null when no Windows rule applies. */
  readiness: number | null;
  /** Unknown verdicts by what would settle them ("no Sysmon input": 975 …). */
  unknownCauses: Record<string, number>;
  /** Rules for other products (Linux, cloud …): not assessed, counted apart. */
  outOfScope: number;
}

/**
 * What assessment needs of each resolved rule. The report's RuleRow has these fields; assessment defines its
 * own input so that it depends on the requirements, never on the report layer that renders its result.
 */
export interface AssessRule {
  path: string;
  title: string;
  kind: 'rule' | 'correlation';
  windows: boolean;
  unknownReason?: string;
  logsourceKey: string;
  eventIds: number[];
  origins: string[];
  branches: string[][][];
  supplementaryBranches: string[][][];
  /** Per alternative, the fields the rule reads that its source lacks (absent: none lacks any). */
  lacks?: string[][];
  /** Per alternative, the event (channel, IDs) of each branch: what must be shipped. */
  branchEvents?: BranchEvent[][];
  /** Per EventID, the providers the rule pairs it with (collector queries that filter on Provider). */
  eventProviders?: Record<string, string[]>;
}

/** The rule set to assess: its rules (in report order) and every requirement id they name. */
export interface AssessInput {
  rules: AssessRule[];
  requirements: { id: string }[];
}

/** What we could see of a host: the inputs read, and per kind still unknown, the file that would settle it. */
export interface HostSeen {
  inputs: string[];
  unknown: { kind: string; requirements: number; settle: string }[];
}

export type RuleVerdict = { verdict: Verdict; missing: string[]; why: string; cause?: string; degraded?: string[] };

/** Counts over plain rules; correlations follow their referenced rules. Unknown is part of the denominator. */
export function count(verdicts: RuleVerdict[], rules: AssessRule[]): VerdictCounts {
  const c: VerdictCounts = {
    ready: 0,
    degraded: 0,
    partial: 0,
    blocked: 0,
    unknown: 0,
    notApplicable: 0,
    applicable: 0,
    readiness: null,
    unknownCauses: {},
    outOfScope: 0,
  };
  verdicts.forEach((v, i) => {
    const r = rules[i] as AssessRule;
    if (r.kind !== 'rule') return;
    if (!r.windows || v.verdict === 'out-of-scope') {
      c.outOfScope++;
      return;
    }
    if (v.verdict === 'not-applicable') c.notApplicable++;
    else c[v.verdict]++;
    if (v.verdict === 'ready' && v.degraded?.length) c.degraded++;
    if (v.verdict === 'unknown') {
      const cause = v.cause ?? 'other';
      c.unknownCauses[cause] = (c.unknownCauses[cause] ?? 0) + 1;
    }
  });
  return finishCounts(c);
}

/** Fills the denominator and the percentage from the verdict counts. */
export function finishCounts(c: VerdictCounts): VerdictCounts {
  c.applicable = c.ready + c.partial + c.blocked + c.unknown;
  c.readiness = percent(c.ready, c.applicable);
  return c;
}

/** What --assume-defaults took, said once per kind of requirement. */
export const ASSUMED: Record<string, string> = {
  sysmon: 'Sysmon is not installed (every Sysmon event type off)',
  channel: 'event channels that are disabled by default are disabled',
  policy: 'logging policies (PowerShell, command line) are not configured',
  sacl: 'no audit SACL on the files, registry keys and WMI namespaces the rules watch',
  audit:
    "audit subcategories no input names are at Windows' default audit policy for the host's edition (baselines windows-default-client / -server / -dc); where the editions disagree, the default is disputed or the edition is unknown, they stay unknown",
  role: 'the host has no server role or product the inputs do not show (not a DC, CA, NPS, DNS, IIS, Exchange, AD FS or WSUS server; no SQL Server or ScreenConnect)',
};

/** "domain controller + dns-server", "workstation", or undefined when nothing tells. */
export function roleLabel(host: HostEnvironment): string | undefined {
  const r = host.role;
  if (!r) return undefined;
  const kind = r.kind === 'member' ? 'member (not a DC)' : r.kind === 'standalone' ? 'standalone (not a DC)' : r.kind?.replace('-', ' ');
  return [kind ?? 'role ?', ...[...r.features].sort()].join(' + ');
}

/** The input that would settle each kind of requirement the inputs leave unknown. */
const SETTLES: Record<string, string> = {
  audit: 'auditpol.csv (auditpol /get /category:* /r) or --auditpol',
  policy: 'policies.reg / policies-system.reg in a host snapshot, or --gpresult',
  sysmon: 'sysmon-service.txt + sysmon-config.xml in a host snapshot, or --sysmon',
  channel: 'wevtutil-gl.txt with wevtutil-el.txt (the full channel list) in a host snapshot',
  sacl: 'auditpol-resourcesacl.txt (global), sacls.txt (collect-script <rules> --format ps1)',
  role: '--role, or a host snapshot (gpresult, systeminfo, wevtutil-el.txt)',
};

/** Per kind of requirement the states leave unknown: how many, and the input that would settle them. */
export function unknownKinds(states: Map<string, RequirementState>): HostSeen['unknown'] {
  const counts = new Map<string, number>();
  for (const [id, st] of states) {
    if (st.state !== 'unknown') continue;
    const kind = splitRequirement(id)[0];
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].map(([kind, requirements]) => ({ kind, requirements, settle: SETTLES[kind] ?? 'no input' }));
}

/** The names of the files a host was read from, each once. */
export function seenInputs(host: HostEnvironment): string[] {
  return [...new Set(host.files.map((f) => f.split(/[\\/]/).pop() ?? f))];
}

/** part ÷ whole in percent with one decimal, as every share in the reports is shown; null when whole is 0. */
export function percent(part: number, whole: number): number | null {
  return whole ? Math.round((1000 * part) / whole) / 10 : null;
}
