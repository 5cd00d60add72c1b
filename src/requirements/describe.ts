import { splitRequirement, type Catalog } from '../catalog/catalog.js';
import { cmdArg } from '../escape.js';
import { roleWithArticle } from './role-names.js';

export type RequirementKind = 'audit' | 'sysmon' | 'policy' | 'channel' | 'forward' | 'sacl' | 'role';

export interface RequirementInfo {
  id: string;
  kind: RequirementKind;
  /** Human name, e.g. "Audit Process Creation — Success". */
  name: string;
  /** How to turn it on, one short line. */
  enable: string;
  /** Further detail: GPO path, registry value. */
  details: string[];
  /** Sysmon: the config element that logs it; types sharing one (RegistryEvent: 12, 13, 14) are shown as one row. */
  group?: string;
  /** The command that turns it on, when one exists (renderers put it in a code block). */
  command?: string;
  /** The Sysmon config XML that logs it (renderers put it in a code block). */
  xml?: string;
}

const ADVANCED_AUDIT_GPO = 'Computer Configuration\\Windows Settings\\Security Settings\\Advanced Audit Policy Configuration\\Audit Policies';

/** Describes a requirement id from the catalog; unknown ids are described as such rather than thrown on. */
export function describeRequirement(id: string, catalog: Catalog): RequirementInfo {
  const [kind, rest] = splitRequirement(id);
  switch (kind) {
    case 'audit': {
      const [guid = '', outcome = ''] = rest.split(':');
      const sub = catalog.subcategory(guid);
      const Outcome = outcome === 'failure' ? 'Failure' : 'Success';
      const command = `auditpol /set /subcategory:${sub?.guid ?? guid} /${outcome}:enable`;
      if (!sub) return { id, kind: 'audit', name: `Audit subcategory ${guid} — ${Outcome}`, enable: command, details: [], command };
      return {
        id,
        kind: 'audit',
        name: `${sub.name} — ${Outcome}`,
        enable: command,
        command,
        details: [`GPO: ${ADVANCED_AUDIT_GPO}\\${sub.category}\\${sub.name} → ${Outcome}`],
      };
    }
    case 'sysmon': {
      const ev = catalog.sysmonEvent(Number(rest));
      const element = ev?.element;
      const hazard = catalog.withheld(id);
      // A blocking or archiving element is never suggested as a bare exclude (docs/safe-to-deploy.md).
      if (element && hazard) {
        return {
          id,
          kind: 'sysmon',
          name: `Sysmon EID ${rest} ${element}`,
          enable:
            hazard.class === 'enforcement'
              ? `not proposed: ${element} blocks (enforcement), it does not only log; rules reading EID ${rest} detect blocks made by your own blocking policy`
              : hazard.option
                ? `not proposed: Sysmon logs ${element} only with <${hazard.option}/>, which copies the data to disk (${hazard.class}); this tool never writes it`
                : `not proposed unfiltered: ${element} copies data to disk (${hazard.class})${hazard.instead !== undefined ? `; EID ${hazard.instead} logs the same without the copy` : ''}; include filters only (logsource-check sysmon-config --mode targeted)`,
          details: [...(ev?.minSchema ? [`needs config schemaversion ≥ ${ev.minSchema}`] : []), `hazard: ${hazard.note.split('. ')[0]} <${hazard.source}>`],
          group: element,
        };
      }
      return {
        id,
        kind: 'sysmon',
        name: `Sysmon EID ${rest} ${element ?? ev?.name ?? ''}`.trim(),
        enable: element
          ? `install Sysmon; its config must log ${element} (e.g. <${element} onmatch="exclude"/>; logsource-check sysmon-config writes or merges one)`
          : 'install Sysmon (this event type is always logged)',
        details: ev?.minSchema ? [`needs config schemaversion ≥ ${ev.minSchema}`] : [],
        ...(element ? { group: element, xml: `<${element} onmatch="exclude"/>` } : {}),
      };
    }
    case 'policy': {
      const p = catalog.policy(rest);
      if (!p) return { id, kind: 'policy', name: `policy ${rest}`, enable: '(not in the catalog)', details: [] };
      return {
        id,
        kind: 'policy',
        // Windows PowerShell and PowerShell 7 share setting names; the GPO folder tells them apart.
        name: catalog.policies.some((o) => o !== p && o.name === p.name) ? `${p.name} (${p.gpoPath.split('\\').pop()})` : p.name,
        enable: p.outsideGroupPolicy ? p.outsideGroupPolicy.set : `GPO: ${p.gpoPath}\\${p.name} → Enabled`,
        details: p.registry.map((r) => `registry: ${r.key}\\${r.value} = ${r.data} (${r.type})`),
      };
    }
    case 'sacl': {
      // sacl:file is the success side, sacl:file:failure the failure side (environment/sacl-flags.ts).
      const failure = rest.endsWith(':failure');
      const obj = failure ? rest.slice(0, -':failure'.length) : rest;
      const what = failure ? 'Failure' : 'Success';
      return {
        id,
        kind: 'sacl',
        name: `Audit SACL on the ${obj === 'file' ? 'files/folders' : obj === 'registry' ? 'registry keys' : obj === 'wmi-namespace' ? 'WMI namespaces' : `${obj} objects`} the rules watch${failure ? ' (failed accesses)' : ''}`,
        enable:
          obj === 'file' || obj === 'registry'
            ? `add an audit SACL (Everyone, ${what}, write access) to the watched ${obj === 'file' ? 'folders' : 'keys'}: logsource-check fix writes set-audit-sacls.ps1; a global SACL (auditpol /resourceSACL /set /type:${obj === 'file' ? 'File' : 'Key'} /${failure ? 'failure' : 'success'}) is the high-volume fallback`
            : obj === 'wmi-namespace'
              ? `add an audit SACL (${what}) to the WMI namespaces the rules watch (WMI Control, wmimgmt.msc > Properties > Security > the namespace > Advanced > Auditing; none is set at installation)`
              : `add an audit SACL (${what}) to the ${obj} objects the rules watch (object properties > Security > Advanced > Auditing)`,
        details: [
          'Windows writes object-access events only for objects whose SACL audits the access',
          ...(failure ? ['the SACL entry must audit failed accesses (Failure flag): the event is written for denied accesses too'] : []),
        ],
      };
    }
    case 'role':
      return { id, kind: 'role', name: `Host is ${roleWithArticle(rest)}`, enable: 'no setting: these events exist only on hosts of this role', details: [] };
    case 'forward':
      return {
        id,
        kind: 'forward',
        name: `Forward ${rest} events`,
        enable: `add the ${rest} channel and the rules' event IDs to the collector (logsource-check collector-config writes WEF, NXLog, Winlogbeat, QueryList, an Azure Monitor DCR or an Elastic Agent policy)`,
        details: [],
      };
    default: {
      // A command to copy into cmd.exe only where the name fits a quoted argument exactly (src/encode.ts cmdArg).
      const arg = cmdArg(rest);
      if (arg === undefined)
        return {
          id,
          kind: 'channel',
          name: `Channel ${rest} enabled`,
          enable: 'enable the channel in Event Viewer (its name cannot be quoted safely for wevtutil in cmd.exe)',
          details: [],
        };
      return {
        id,
        kind: 'channel',
        name: `Channel ${rest} enabled`,
        enable: `wevtutil sl "${arg}" /e:true`,
        details: [],
        command: `wevtutil sl "${arg}" /e:true`,
      };
    }
  }
}

/** Requirement ids in a readable order: by kind, Sysmon event types by number (1, 2, … 10, not 1, 10, 2). */
export function compareRequirements(a: string, b: string): number {
  const [ka, ra] = splitRequirement(a);
  const [kb, rb] = splitRequirement(b);
  if (ka !== kb) return ka.localeCompare(kb);
  if (ka === 'sysmon') return Number(ra) - Number(rb);
  return ra.localeCompare(rb);
}
