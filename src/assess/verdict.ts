import { splitRequirement, type Catalog } from '../catalog/catalog.js';
import { eventStatus, type SysmonState } from '../environment/sysmon.js';
import { auditDefault } from './audit-defaults.js';
import { roleWithArticle } from '../requirements/role-names.js';
import type { HostEnvironment, State } from '../environment/model.js';
import { roleWord } from '../environment/roles.js';

/**
 * out-of-scope: a rule for another product (Linux, cloud …) or a correlation of such rules: never assessed and
 * outside every count of Windows rules. `unknown` is only ever a Windows rule the inputs do not settle.
 */
export type Verdict = 'ready' | 'partial' | 'blocked' | 'unknown' | 'not-applicable' | 'out-of-scope';

export interface RequirementState {
  /** `partial`: only for one rule — Sysmon logs some of the events it matches. */
  state: State | 'partial';
  /** Sysmon event types: the config's own state of the type (on, filtered, off, unsupported). */
  sysmonState?: SysmonState;
  /** Why, in a few words: "gpresult x.xml (GPO SOC Baseline)", "no Sysmon config given". */
  reason: string;
  /** The state is a Windows default taken under --assume-defaults, not something an input said. */
  assumed?: boolean;
}

export interface StateOptions {
  /** Take what the inputs do not state at its Windows default (documented in docs/verdicts.md). */
  assumeDefaults?: boolean;
}

/** Server roles that only Windows Server can have: a client OS never produces their events. */
const SERVER_ONLY = new Set(['domain-controller', 'certification-authority', 'network-policy-server', 'dns-server', 'exchange', 'adfs', 'wsus']);

/** State of one requirement on one host. */
export function requirementState(id: string, host: HostEnvironment, catalog: Catalog, opts: StateOptions = {}): RequirementState {
  const [kind, rest] = splitRequirement(id);
  const assume = (state: State, reason: string): RequirementState =>
    opts.assumeDefaults ? { state, reason: `assumed Windows default: ${reason}`, assumed: true } : { state: 'unknown', reason: '' };
  switch (kind) {
    case 'audit': {
      const [guid = '', outcome] = rest.split(':');
      const v = host.covers.audit ? host.audit.get(guid.toUpperCase()) : undefined;
      const side = outcome === 'failure' ? v?.failure : v?.success;
      if (side === undefined && opts.assumeDefaults) {
        // Windows' own default for the host's edition (audit-defaults.ts); not assumed where disputed or unknown.
        const d = auditDefault(guid, outcome === 'failure' ? 'failure' : 'success', host, catalog);
        if (d.on !== undefined) return { state: d.on ? 'on' : 'off', reason: `assumed Windows default: ${d.reason}`, assumed: true };
        return { state: 'unknown', reason: `not configured by the inputs, and not assumed: ${d.reason}` };
      }
      if (!host.covers.audit) return { state: 'unknown', reason: 'no audit policy input (gpresult, auditpol or a host snapshot) for this host' };
      // An input may say why a side is not known (a GPO's audit.csv that could not be read: gpo-host.ts).
      if (side === undefined)
        return {
          state: 'unknown',
          reason:
            v && v.success === undefined && v.failure === undefined
              ? v.source
              : 'not configured by the inputs: the Windows default applies (auditpol /get /category:* /r shows it)',
        };
      return { state: side ? 'on' : 'off', reason: v?.source ?? '' };
    }
    case 'policy': {
      // A value the host is known to have counts even where the inputs do not tell policies in general (a
      // remediation file applied in fix's projection sets one).
      if (!host.covers.policies && !host.policies.has(rest)) {
        const a = assume('off', 'policy not configured');
        return a.assumed ? a : { state: 'unknown', reason: 'no gpresult or registry export for this host' };
      }
      const p = host.policies.get(rest);
      const gap = host.policyGaps?.get(rest);
      if (!p && gap) return { state: 'unknown', reason: gap };
      // Not a Group Policy setting (CA\AuditFilter): a GPO that does not set it says nothing of it.
      const outside = !p ? catalog.policy(rest)?.outsideGroupPolicy : undefined;
      if (outside) {
        const a = assume('off', `${catalog.policy(rest)?.name ?? rest} at its default (off)`);
        return a.assumed ? a : { state: 'unknown', reason: `not a Group Policy setting, so no policy input shows it (${outside.check} on the host does)` };
      }
      // These policies are disabled by default in Windows: not configured by any GPO means off.
      if (!p) return { state: 'off', reason: 'not configured by any GPO (disabled by default)' };
      return { state: p.state, reason: p.detail ? `${p.source}: ${p.detail}` : p.source };
    }
    case 'sysmon': {
      const svc = host.sysmonService;
      if (svc?.state === 'absent') return { state: 'off', reason: `Sysmon is not installed (${svc.source})` };
      if (svc?.state === 'stopped') return { state: 'off', reason: `the Sysmon service is not running (${svc.source})` };
      // The service is listed without its state (a capture cut by findstr …): running is not proven.
      if (svc?.state === 'installed')
        return { state: 'unknown', reason: `Sysmon is installed but whether it runs is not in the inputs (${svc.source}; sc query shows its STATE)` };
      if (!host.sysmon && svc?.state === 'unknown') return { state: 'unknown', reason: `whether Sysmon is installed is not known (${svc.source})` };
      if (!host.sysmon && svc)
        return { state: 'unknown', reason: `Sysmon is installed (${svc.source}) but its configuration is not in the inputs (sysmon-config.xml, or --sysmon)` };
      if (!host.sysmon) {
        const a = assume('off', 'Sysmon not installed');
        return a.assumed ? a : { state: 'unknown', reason: 'no Sysmon configuration given (--sysmon)' };
      }
      const { state: s, gap } = eventStatus(host.sysmon, Number(rest), catalog);
      const where = `sysmon ${host.sysmon.path} (schema ${host.sysmon.schemaVersion})`;
      if (s === 'unsupported') return { state: 'off', sysmonState: s, reason: `${where}: the schema predates this event type` };
      // Rules for the type but a configuration entry it needs missing (24 without CaptureClipboard): never ready.
      if (gap) return { state: gap.state, sysmonState: s, reason: `${where}: ${gap.reason}` };
      // "filtered" is on for the rules whose events its filters keep: decided per rule by the simulation.
      return { state: s === 'off' ? 'off' : s === 'unknown' ? 'unknown' : 'on', sysmonState: s, reason: where };
    }
    case 'sacl':
      return saclState(rest, host, opts);
    case 'role':
      return roleState(rest, host, opts, catalog);
    default: {
      const ch = host.channels;
      if (ch) {
        const c = ch.list.get(rest.toLowerCase());
        if (c && c.exists && c.enabled === undefined)
          return { state: 'unknown', reason: `${ch.source} lists the channel but not whether it is enabled (unreadable or cut off)` };
        if (c)
          return {
            state: c.exists && c.enabled ? 'on' : 'off',
            reason: c.exists
              ? `${ch.source}: ${c.enabled ? 'enabled' : 'disabled'}`
              : `the channel does not exist on this host (${ch.source}): its role or feature is not installed`,
          };
        if (ch.complete)
          return { state: 'off', reason: `the channel is not on this host (${ch.source} lists every channel): its role or feature is not installed` };
      }
      const a = assume('off', 'channel disabled (its default)');
      if (a.assumed) return a;
      // A list that is not the full list says nothing of a channel it does not hold.
      if (ch) return { state: 'unknown', reason: `the channel is not in ${ch.source}` };
      return { state: 'unknown', reason: 'channel state is not in the inputs (wevtutil gl in a host snapshot shows it)' };
    }
  }
}

/**
 * Object-access events are written only for objects whose SACL audits the access. A global SACL (Global
 * Object Access Auditing) covers every file or key; per-object SACLs come from sacls.txt, judged per rule.
 */
function saclState(kind: string, host: HostEnvironment, opts: StateOptions): RequirementState {
  // "file" is the success side, "file:failure" the failure side (environment/sacl-flags.ts).
  const base = kind.replace(/:failure$/, '');
  const side = base === kind ? '' : ' (failed accesses)';
  const global = host.sacl.get(kind);
  if (global?.state === 'on') return { state: 'on', reason: `global SACL for ${base} objects${side} (${global.source})` };
  const shown = global ? `no global SACL for ${base} objects${side} (${global.source}); ` : '';
  // sacls.txt: decided per rule from the keys and folders it watches (assess.ts, sacl-watch.ts).
  if (host.objectSacls && (base === 'file' || base === 'registry'))
    return {
      state: 'unknown',
      reason: `${shown}per-object SACLs: decided per rule from ${host.objectSacls.source} (the ${base === 'file' ? 'folders' : 'keys'} each rule watches)`,
    };
  // WMI namespaces: Microsoft ("Access to WMI Namespaces") says no auditing is enabled at installation.
  if (opts.assumeDefaults && (base === 'file' || base === 'registry' || base === 'wmi-namespace')) {
    return { state: 'off', reason: `${shown}assumed Windows default: no audit SACL on the objects the rule watches`, assumed: true };
  }
  return {
    state: 'unknown',
    reason: `${shown}per-object SACLs are not in the inputs: Windows writes these events only for ${base} objects whose SACL audits the access${side} (run collect-script <rules> --format ps1 on the host to read the SACLs of the watched paths; fix writes a script that adds them)`,
  };
}

function roleState(role: string, host: HostEnvironment, opts: StateOptions, catalog: Catalog): RequirementState {
  const r = host.role;
  const aLabel = roleWithArticle(role);
  if (role === 'domain-controller' && r?.kind) {
    const kind =
      r.kind === 'member'
        ? 'member, not a domain controller'
        : r.kind === 'standalone'
          ? 'standalone (workgroup) computer, not a domain controller'
          : r.kind.replace('-', ' ');
    return {
      state: r.kind === 'domain-controller' ? 'on' : 'off',
      reason: `${r.kind === 'domain-controller' ? '' : 'produced only on a domain controller; '}this host is a ${kind} (${r.source})`,
    };
  }
  if (r?.features.has(role)) return { state: 'on', reason: `host is ${aLabel} (${r.evidence?.get(role) ?? r.source})` };
  if (r?.complete) return { state: 'off', reason: `produced only on ${aLabel}; this host is not one (${r.source})` };
  const absent = r?.absent?.get(role);
  if (absent) return { state: 'off', reason: `produced only on ${aLabel}; this host is not one (${absent})` };
  if (r?.kind === 'workstation' && SERVER_ONLY.has(role)) return { state: 'off', reason: `a workstation cannot be ${aLabel} (${r.source})` };
  if (opts.assumeDefaults) return { state: 'off', reason: `assumed: host is not ${aLabel}`, assumed: true };
  return { state: 'unknown', reason: `whether the host is ${aLabel} is not in the inputs (${settles(role, host, catalog)})` };
}

/** The input that would settle an unknown role: systeminfo cannot tell server roles, a full channel list can. */
function settles(role: string, host: HostEnvironment, catalog: Catalog): string {
  if (role === 'domain-controller') return '--role dc|server|workstation, gpresult /x, systeminfo, or the full channel list of a host snapshot';
  const channel = catalog.channelFacts.roles.find((r) => r.role === role)?.channel;
  const flag = `--role ${roleWord(role)}`;
  if (!channel) return `${flag}: no host input shows this role`;
  const why = host.channels && !host.channels.complete ? `; ${host.channels.source}` : '';
  return `${flag}, or the host's full channel list (wevtutil-gl.txt with the collection script's wevtutil-el.txt), where the ${channel} channel shows it${why}`;
}

export interface RuleAssessment {
  verdict: Verdict;
  /** Requirement ids not on in the closest alternative (fewest missing). */
  missing: string[];
  /** One sentence for reports. */
  why: string;
  /** Unknown verdicts: the kind of requirement the inputs do not tell (sysmon, channel, sacl, role …). */
  cause?: string;
  /** Ready only through a source that lacks these fields the rule reads: what they detect is lost. */
  degraded?: string[];
}

/** One way to produce the rule's events: per event (branch), what it needs. */
export interface AltInput {
  branches: string[][];
  /** Fields the rule reads that this way's events never have (4688 has no OriginalFileName). */
  lacks?: string[];
}

type BranchState = 'on' | 'partial' | 'off' | 'unknown' | 'n/a';

/**
 * Verdicts count events, never settings:
 *  ready: every event branch of one alternative is produced with the fields the rule reads.
 *  partial: some branch is produced (or only a source that covers part of what it reads), none complete.
 *  blocked: no branch can be produced, and the inputs say so.
 *  unknown: no branch is known to be produced and the inputs leave some open (the reason names the input).
 *  not-applicable: every branch needs a role the host does not have (Kerberos service events off a DC).
 * Branches needing a role the host lacks are dropped: those events never occur there.
 */
export function assessRule(alternatives: AltInput[], supplementary: AltInput[], lookup: (id: string) => RequirementState): RuleAssessment {
  if (alternatives.some((a) => a.branches.length === 0 || a.branches.every((b) => b.length === 0)))
    return { verdict: 'ready', missing: [], why: 'logged by default' };
  const isRole = (id: string) => id.startsWith('role:');
  // A verdict looks at each requirement and branch several times: each is worked out once per rule.
  const memo = new Map<string, RequirementState>();
  const stateOf = (id: string): RequirementState => {
    let st = memo.get(id);
    if (!st) memo.set(id, (st = lookup(id)));
    return st;
  };
  const branchMemo = new Map<string[], BranchState>();
  const branchState = (b: string[]): BranchState => {
    let r = branchMemo.get(b);
    if (r) return r;
    let off = false;
    let unknown = false;
    let partial = false;
    r = 'on';
    for (const id of b) {
      const s = stateOf(id).state;
      if (s === 'off' && isRole(id)) {
        r = 'n/a';
        break;
      }
      if (s === 'off') off = true;
      else if (s === 'unknown') unknown = true;
      else if (s === 'partial') partial = true;
    }
    if (r !== 'n/a') r = off ? 'off' : unknown ? 'unknown' : partial ? 'partial' : 'on';
    branchMemo.set(b, r);
    return r;
  };
  const scored = (alts: AltInput[]) =>
    alts
      .map((a) => ({ a, states: a.branches.map(branchState) }))
      .map((x) => ({ ...x, live: x.states.filter((s) => s !== 'n/a') }))
      .filter((x) => x.live.length > 0);
  const full = scored(alternatives);
  const supp = scored(supplementary);
  if (!full.length && !supp.length) {
    const roles = [...new Set(alternatives.flatMap((a) => a.branches.flat()).filter(isRole))];
    return { verdict: 'not-applicable', missing: [], why: roles.map((id) => stateOf(id).reason).join('; ') || 'not produced on this host' };
  }

  const notOn = (a: AltInput) => [...new Set(a.branches.filter((b) => branchState(b) !== 'n/a').flat())].filter((id) => stateOf(id).state !== 'on');
  const ranked = full
    .map((x) => ({ ...x, missing: notOn(x.a) }))
    .sort((x, y) => x.missing.length - y.missing.length || count(x.missing, stateOf, 'unknown') - count(y.missing, stateOf, 'unknown'));
  // A way with every field the rule reads wins over one that lacks some (Sysmon 1 over 4688 for OriginalFileName).
  const completes = ranked.filter((x) => x.live.every((s) => s === 'on'));
  const complete = completes.find((x) => !x.a.lacks?.length) ?? completes[0];
  if (complete) {
    const dropped = complete.states.length - complete.live.length;
    const lacks = complete.a.lacks ?? [];
    if (lacks.length)
      return {
        verdict: 'ready',
        missing: [],
        why: `degraded: logged only by a source without ${lacks.join(', ')}, so the selections on ${lacks.length === 1 ? 'it' : 'them'} cannot match`,
        degraded: lacks,
      };
    return {
      verdict: 'ready',
      missing: [],
      why: dropped
        ? `every event this host can produce is logged (${dropped} event type(s) occur only on other roles)`
        : 'every event it reads is logged with its fields',
    };
  }
  const missing = ranked[0]?.missing ?? notOn((supp[0] as { a: AltInput }).a);

  const someFull = full.find((x) => x.live.some((s) => s === 'on' || s === 'partial'));
  const suppOn = supp.find((x) => x.live.some((s) => s === 'on' || s === 'partial'));
  if (someFull || suppOn) {
    const partialIds = [...new Set([...full, ...supp].flatMap((x) => x.a.branches.flat()).filter((id) => stateOf(id).state === 'partial'))];
    // Named, not guessed: a source that sees part of what the rule reads (PowerShell 7's log, Removable Storage).
    const partOnly = suppOn ? [...new Set(suppOn.a.branches.flat())].filter((id) => stateOf(id).state === 'on') : [];
    const why = !someFull
      ? `only a source that covers part of what it reads is logged${partOnly.length ? `: ${partOnly.join(' + ')}` : ''}`
      : partialIds.length
        ? `logged only in part: ${partialIds.map((id) => `${id} (${stateOf(id).reason})`).join('; ')}`
        : `${someFull.live.filter((s) => s === 'on').length} of the ${someFull.live.length} events it reads are logged with their fields`;
    return { verdict: 'partial', missing, why };
  }
  const open = [...full, ...supp].filter((x) => x.live.includes('unknown'));
  if (open.length) {
    const ids = [
      ...new Set(open.flatMap((x) => x.a.branches.filter((b) => branchState(b) === 'unknown').flat()).filter((id) => stateOf(id).state === 'unknown')),
    ];
    return { verdict: 'unknown', missing, why: `the inputs do not tell: ${ids.map((id) => `${id} (${stateOf(id).reason})`).join('; ')}`, cause: causeOf(ids) };
  }
  const off = [...new Set(ranked.flatMap((x) => x.missing).filter((id) => stateOf(id).state === 'off'))];
  // A Sysmon type names its config and why it is off there (24: CaptureClipboard is not set).
  // An object SACL read from sacls.txt names the watched paths still without one (not an assumed default).
  const named = off
    .slice(0, 4)
    .map((id) => (stateOf(id).sysmonState || (id.startsWith('sacl:') && !stateOf(id).assumed) ? `${id} (${stateOf(id).reason})` : id));
  return { verdict: 'blocked', missing, why: `no event it reads is produced: ${named.join(', ')}${off.length > 4 ? ', …' : ''} off` };
}

function count(ids: string[], stateOf: (id: string) => RequirementState, state: string): number {
  return ids.filter((id) => stateOf(id).state === state).length;
}

/** The input that would settle an unknown verdict, by the kind of requirement left open (most telling first). */
export const UNKNOWN_CAUSES: Record<string, string> = {
  role: 'host role not known',
  sysmon: 'no Sysmon input',
  sacl: 'object SACLs not visible',
  channel: 'channel state not collected',
  audit: 'audit setting not in the inputs',
  policy: 'logging policies not in the inputs',
  forward: 'forwarding not known',
};

function causeOf(ids: string[]): string {
  const kinds = new Set(ids.map((id) => splitRequirement(id)[0]));
  for (const k of Object.keys(UNKNOWN_CAUSES)) if (kinds.has(k)) return UNKNOWN_CAUSES[k] as string;
  return 'other';
}
