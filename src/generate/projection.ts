/**
 * The readiness each plan reaches: every host copied, the plan's settings applied as the written files apply them
 * (the apply-the-fix model of test/unit/apply-fix.test.ts), and the hosts assessed again.
 *  - enable-audit.cmd: auditpol /set … :enable turns on the outcomes it names and nothing else;
 *  - logging-policies.reg: the policies it carries are on; enable-channels.cmd: the channels it names are enabled
 *    (a channel the host's full list shows absent stays absent: wevtutil cannot create it);
 *  - set-audit-sacls.ps1: an Everyone audit entry on each key or folder it names that sacls.txt shows present;
 *    without sacls.txt which of them exist is not known, so nothing is applied and a note says so (never counted);
 *  - the Sysmon plan: the host runs sysmon-merged.xml (its deployed config plus the additions) or, without a
 *    deployed config in the inputs, sysmon-additions.xml.
 * A projection is never more than the files give: what they cannot settle stays as it is now.
 */
import { assess, type Assessment } from '../assess/assess.js';
import type { AssessInput } from '../assess/counts.js';
import { RIGHTS } from '../assess/sacl-watch.js';
import type { StateOptions } from '../assess/verdict.js';
import type { VolumeOptions } from '../assess/volume.js';
import type { Catalog } from '../catalog/catalog.js';
import type { HostEnvironment } from '../environment/model.js';
import type { ObjectSacl } from '../environment/sacls.js';
import type { SysmonConfig } from '../environment/sysmon.js';
import type { PlanFigures } from '../result/result.js';
import type { LoadedRule } from '../rules/model.js';
import type { AppliedSettings } from './remediation.js';

const EVERYONE = 'S-1-1-0';

/** Hosts per thing the projection could not settle (one line each, however many hosts). */
export interface ProjectionGaps {
  /** set-audit-sacls.ps1 not applied: no sacls.txt tells which watched keys and folders exist. */
  sacl: string[];
  /** enable-audit.cmd counted on where no input shows the audit policy (a GPO may put it back). */
  audit: string[];
}

export function gapNotes(g: ProjectionGaps): string[] {
  const who = (hosts: string[]) =>
    `${hosts.slice(0, 5).join(', ')}${hosts.length > 5 ? ` and ${hosts.length - 5} more host${hosts.length === 6 ? '' : 's'}` : ''}`;
  const out: string[] = [];
  if (g.audit.length)
    out.push(
      `${who(g.audit)}: the audit settings of enable-audit.cmd are counted as on; no input shows the audit policy there, so whether a GPO puts them back at its next refresh is not known (gpresult /x or auditpol /r tells)`,
    );
  if (g.sacl.length)
    out.push(
      `${who(g.sacl)}: set-audit-sacls.ps1 is not in these figures: which of the keys and folders it audits exist there is not in the inputs (sacls.txt of collect-script <rules> --format ps1 tells; re-run it after applying the script)`,
    );
  return out;
}

/** The host once the built-in plan's files are applied; gaps: what could not be settled for it. */
export function applyBuiltin(host: HostEnvironment, s: AppliedSettings, gaps: ProjectionGaps): HostEnvironment {
  const next: HostEnvironment = { ...host, audit: new Map(host.audit), policies: new Map(host.policies), covers: { ...host.covers } };
  for (const [guid, n] of s.audit) {
    const key = guid.toUpperCase();
    const cur = next.audit.get(key);
    next.audit.set(key, { success: n.success || cur?.success, failure: n.failure || cur?.failure, source: 'fix built-in plan (enable-audit.cmd)' });
  }
  // Outcomes enable-audit.cmd names are known once it has run, whatever the inputs said of the others; whether a
  // GPO puts them back at its next refresh is not, where no input shows the host's audit policy: said, not hidden.
  if (s.audit.size && !host.covers.audit) gaps.audit.push(host.name);
  if (s.audit.size) next.covers.audit = true;
  for (const id of s.policies) next.policies.set(id, { state: 'on', source: 'fix built-in plan (logging-policies.reg)' });
  if (s.channels.length) {
    const list = new Map(host.channels?.list ?? []);
    for (const c of s.channels) {
      const cur = list.get(c.toLowerCase());
      if (cur && !cur.exists) continue;
      if (!cur && host.channels?.complete) continue;
      list.set(c.toLowerCase(), { name: c, exists: true, enabled: true });
    }
    next.channels = {
      list,
      complete: host.channels?.complete ?? false,
      source: host.channels ? `${host.channels.source} + fix built-in plan (enable-channels.cmd)` : 'fix built-in plan (enable-channels.cmd)',
    };
  }
  const scripts = s.sacl.filter((x) => !x.hosts.length || x.hosts.includes(host.name));
  if (scripts.length && !host.objectSacls) {
    gaps.sacl.push(host.name);
  } else if (scripts.length && host.objectSacls) {
    const paths = new Map(host.objectSacls.paths);
    let added = 0;
    for (const { targets } of scripts) {
      for (const kind of ['registry', 'file'] as const) {
        for (const e of targets[kind].values()) {
          const cur = paths.get(e.path.toLowerCase());
          // The script skips what does not exist; a path sacls.txt did not read stays unknown.
          if (!cur || cur.kind !== kind || cur.status !== 'found') continue;
          let rights = 0;
          for (const r of e.rights) rights |= RIGHTS[kind].bits[r] ?? 0;
          const ace = {
            sid: EVERYONE,
            rights,
            success: true,
            failure: e.failure,
            containerInherit: e.inherit,
            objectInherit: kind === 'file' && e.inherit,
            inheritOnly: false,
            noPropagate: false,
            inherited: false,
          };
          paths.set(e.path.toLowerCase(), { ...cur, aces: [...cur.aces, ace] } satisfies ObjectSacl);
          added++;
        }
      }
    }
    next.objectSacls = {
      ...host.objectSacls,
      paths,
      digest: `${host.objectSacls.digest}+fix${added}`,
      source: `${host.objectSacls.source} + fix built-in plan (set-audit-sacls.ps1)`,
    };
  }
  return next;
}

/** The host running the Sysmon plan's config (installed where the inputs say Sysmon is not). */
export function applySysmon(host: HostEnvironment, config: SysmonConfig | undefined): HostEnvironment {
  if (!config) return host;
  const svc =
    host.sysmonService && host.sysmonService.state !== 'running'
      ? { state: 'running' as const, source: `fix Sysmon plan (installed with ${config.path})` }
      : host.sysmonService;
  return { ...host, sysmon: config, ...(svc ? { sysmonService: svc } : {}) };
}

/** Totals over the hosts (rule × host on a fleet), as withReadiness counts them. */
export function figures(a: Assessment): PlanFigures {
  let ready = 0;
  let applicable = 0;
  for (const { weight, host } of a.groups) {
    ready += weight * host.summary.ready;
    applicable += weight * (host.summary.ready + host.summary.partial + host.summary.blocked + host.summary.unknown);
  }
  return { readiness: applicable ? Math.round((1000 * ready) / applicable) / 10 : null, ready, applicable };
}

export interface Projected {
  builtin: Assessment;
  sysmon: Assessment;
  notes: string[];
}

/** The built-in plan alone (fix's second look under --max-volume high). */
export function projectBuiltin(
  result: AssessInput,
  hosts: HostEnvironment[],
  catalog: Catalog,
  rules: LoadedRule[],
  opts: StateOptions,
  vol: VolumeOptions,
  applied: AppliedSettings,
): Assessment {
  const gaps: ProjectionGaps = { sacl: [], audit: [] };
  return assess(
    result,
    hosts.map((h) => applyBuiltin(h, applied, gaps)),
    catalog,
    rules,
    opts,
    vol,
  );
}

export function project(
  result: AssessInput,
  hosts: HostEnvironment[],
  catalog: Catalog,
  rules: LoadedRule[],
  opts: StateOptions,
  vol: VolumeOptions,
  applied: AppliedSettings,
  sysmonFor: (SysmonConfig | undefined)[],
): Projected {
  const gaps: ProjectionGaps = { sacl: [], audit: [] };
  const builtinHosts = hosts.map((h) => applyBuiltin(h, applied, gaps));
  const builtin = assess(result, builtinHosts, catalog, rules, opts, vol);
  const sysmon = assess(
    result,
    builtinHosts.map((h, i) => applySysmon(h, sysmonFor[i])),
    catalog,
    rules,
    opts,
    vol,
  );
  return { builtin, sysmon, notes: gapNotes(gaps) };
}
