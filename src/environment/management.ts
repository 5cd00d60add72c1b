/**
 * How a host's policy is managed, as far as the inputs tell: decides whether the remediation files tell the user
 * to import audit.csv into a GPO or to set the Audit Policy CSP through MDM (Intune).
 *  - domain-gpo: gpresult lists a GPO applied from the domain, or systeminfo names a domain the host is a member of;
 *  - workgroup: no domain GPO applies — gpresult's computer results list only local policy (Entra-joined and
 *    Intune-only hosts look like this), or systeminfo says Standalone Workstation/Server or Domain WORKGROUP;
 *  - unknown: neither input is there (an auditpol export alone says nothing of it).
 * gpresult wins over systeminfo: it shows what applied, systeminfo only what the host is joined to.
 */
import type { SystemInfo } from './systeminfo.js';
import type { HostEnvironment, Management } from './model.js';

export type { Management } from './model.js';

/** From gpresult's computer results: the GPOs that applied from a domain (local policy excluded). */
export function managementFromGpresult(domainGpos: string[], computerDomain: string | undefined, label: string): Management {
  if (domainGpos.length)
    return { kind: 'domain-gpo', source: `${label}: domain GPO ${domainGpos.slice(0, 3).join(', ')}${domainGpos.length > 3 ? ' …' : ''} applied` };
  const where = computerDomain ? ` (computer in ${computerDomain})` : '';
  return { kind: 'workgroup', source: `${label}: no domain GPO applied, only local policy${where}` };
}

/** From systeminfo: OS Configuration and Domain. Undefined when neither tells. */
export function managementFromSysteminfo(info: SystemInfo, label: string): Management | undefined {
  if (info.role === 'standalone-workstation' || info.role === 'standalone-server')
    return { kind: 'workgroup', source: `${label}: ${info.osConfiguration ?? info.role}` };
  if (info.domain && /^workgroup$/i.test(info.domain)) return { kind: 'workgroup', source: `${label}: Domain ${info.domain}` };
  if (info.domain && info.role) return { kind: 'domain-gpo', source: `${label}: member of domain ${info.domain}` };
  return undefined;
}

/** gpresult's word stands; systeminfo fills in where gpresult was not given. */
export function applyManagement(host: HostEnvironment, m: Management | undefined): void {
  if (!m) return;
  if (host.management && host.management.kind !== 'unknown' && host.management.source.includes('gpresult')) return;
  host.management = m;
}

export function managementOf(host: HostEnvironment): Management {
  return host.management ?? { kind: 'unknown', source: 'no gpresult or systeminfo input' };
}
